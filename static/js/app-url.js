// Where this project lives on the server: "" on a single-project server, "/p/<slug>" inside a
// workspace (run.py DIR). base.html renders it into <body data-base>; every request a script
// makes to the app goes through appUrl so that nothing escapes the project's prefix.
export function appUrl(path) {
  const base = (document.body && document.body.dataset.base) || "";
  return base + path;
}
