"""PDF items as images: pages rendered on the server (pypdfium2 in a child process), shapes
stored with their page number and pixels of that page; corrupt, oversized and many-paged
PDFs refused with a 4xx naming the problem."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from potato_like.media import pdf as pdf_module
from tests.conftest import login
from tests.web.image_util import bbox, image_project, image_scheme
from tests.web.pdf_util import minimal_pdf, write_pdf


@pytest.fixture
def app(tmp_path, open_app):
    write_pdf(tmp_path / "docs" / "report.pdf")
    (tmp_path / "docs" / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (tmp_path / "docs" / "fake.pdf").write_bytes(b"<html>not a pdf</html>")
    items = [{"id": "doc", "image": "docs/report.pdf"}, {"id": "bad", "image": "docs/corrupt.pdf"}]
    scheme = image_scheme(tools=["bbox", "polygon"])
    return open_app(image_project(tmp_path, schemes=[scheme], items=items))


@pytest.fixture
def client(app):
    c = login(app.test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    assert c.get("/api/current_instance").json["instance_id"] == "doc"
    return c


def test_page_info_and_rendered_page(client):
    info = client.get("/api/image/info?src=docs/report.pdf").json
    # 612x792 pt at 150 dpi
    assert (info["width"], info["height"], info["pages"], info["page"]) == (1275, 1650, 2, 1)
    second = client.get("/api/image/info?src=docs/report.pdf&page=2").json
    assert (second["width"], second["height"]) == (625, 417)
    r = client.get(second["url"])
    assert r.status_code == 200 and r.mimetype == "image/png"
    img = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (417, 625)
    # the box fills x 0..150 pt, y 0..100 pt from the bottom: the lower-left quarter
    assert img[400, 10] < 60 and img[10, 600] > 200


def test_boxes_are_stored_with_their_page_and_page_pixels(client):
    shapes = [{**bbox(), "page": 1}, {**bbox(), "page": 2}]
    r = client.post("/updateinstance", json={"instance_id": "doc", "draft": True,
                                            "image_annotations": {"objects": shapes}})  # fmt: skip
    assert r.status_code == 200, r.json
    page = client.get("/annotate").get_data(as_text=True)
    value = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    first, second = value["shapes"]
    assert (first["page"], second["page"]) == (1, 2)
    assert first["pixels"]["width"] == 0.5 * 1275 and second["pixels"]["width"] == 0.5 * 625
    assert first["id"] != second["id"]
    assert value["image"]["pages"] == 2
    assert "data-ia-pages hidden" in page


@pytest.mark.parametrize("bad_page", [0, 3, "2", True])
def test_a_page_outside_the_document_is_refused(client, bad_page):
    shapes = [{**bbox(), "page": bad_page}]
    r = client.post("/updateinstance", json={"instance_id": "doc", "draft": True,
                                            "image_annotations": {"objects": shapes}})  # fmt: skip
    assert r.status_code == 400 and "page" in r.json["error"]


@pytest.mark.parametrize("query", ["page=0", "page=3", "page=x", "page=-1"])
def test_bad_page_numbers_are_400(client, query):
    assert client.get(f"/api/pdf/page?src=docs/report.pdf&{query}").status_code == 400


def test_corrupt_and_fake_pdfs_are_422(client):
    r = client.get("/api/pdf/page?src=docs/corrupt.pdf&page=1")
    assert r.status_code == 422 and "PDF" in r.json["error"]
    r = client.get("/api/image/info?src=docs/fake.pdf")
    assert r.status_code == 422 and "not a PDF" in r.json["error"]


@pytest.mark.parametrize(
    "src", ["../docs/report.pdf", "/etc/passwd", "docs/../../x.pdf", "config.yaml", "docs/none.pdf"]
)
def test_paths_outside_or_missing_are_refused(client, src):
    assert client.get(f"/api/pdf/page?src={src}&page=1").status_code in (400, 404)


def test_caps_on_size_pages_and_time(client, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "MAX_BYTES", 100)
    r = client.get("/api/image/info?src=docs/report.pdf")
    assert r.status_code == 422 and "bytes" in r.json["error"]
    monkeypatch.setattr(pdf_module, "MAX_BYTES", 10**8)
    write_pdf(tmp_path / "docs" / "long.pdf", [(100, 100, (0, 0, 1, 1))] * 5)
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 4)
    r = client.get("/api/image/info?src=docs/long.pdf")
    assert r.status_code == 422 and "5 pages" in r.json["error"]
    with pytest.raises(pdf_module.BadPdf, match="longer than"):
        pdf_module.pdf_info(tmp_path / "docs" / "report.pdf", None, timeout=0.001)


def test_a_corrupt_pdf_item_cannot_be_saved_on(client):
    client.post("/go_to", json={"go_to": 1})
    assert client.get("/api/current_instance").json["instance_id"] == "bad"
    r = client.post("/updateinstance", json={"instance_id": "bad", "draft": True,
                                            "image_annotations": {"objects": [bbox()]}})  # fmt: skip
    assert r.status_code == 400 and "PDF" in r.json["error"]


def test_minimal_pdf_is_readable_by_pdfium():
    import pypdfium2

    doc = pypdfium2.PdfDocument(minimal_pdf([(200, 100, (0, 0, 10, 10))]))
    assert len(doc) == 1 and doc[0].get_size() == (200.0, 100.0)


def test_coco_and_yolo_exports_name_the_page(client, tmp_path):
    from pycocotools.coco import COCO

    from tests.conftest import ADMIN

    shapes = [{**bbox(), "page": 1}, {**bbox("dog"), "page": 2}]
    r = client.post("/updateinstance", json={"instance_id": "doc",
                                            "image_annotations": {"objects": shapes}})  # fmt: skip
    assert r.status_code == 200, r.json
    del client.environ_base["HTTP_ACCEPT"]  # the export itself, not a report of files written
    out = client.post("/admin/api/export", json={"format": "coco"}, headers=ADMIN)
    assert out.status_code == 200, out.data
    path = tmp_path / "coco.json"
    path.write_bytes(out.data)
    coco = COCO(str(path))
    images = sorted(coco.dataset["images"], key=lambda i: i["page"])
    assert [(i["file_name"], i["page"], i["width"]) for i in images] == [
        ("docs/report.pdf#page=1", 1, 1275),
        ("docs/report.pdf#page=2", 2, 625),
    ]
    second = coco.loadAnns(coco.getAnnIds(imgIds=[images[1]["id"]]))[0]
    assert second["bbox"] == [156.25, 83.4, 312.5, 166.8]
    yolo = client.post("/admin/api/export", json={"format": "yolo"}, headers=ADMIN)
    text = yolo.get_data(as_text=True)
    assert "# file: labels/report_page1__ann1.txt" in text
    assert "# file: labels/report_page2__ann1.txt" in text


def test_an_enormous_page_renders_at_most_max_side(client, tmp_path):
    write_pdf(tmp_path / "docs" / "huge.pdf", [(200_000, 100_000, (0, 0, 100_000, 50_000))])
    info = client.get("/api/image/info?src=docs/huge.pdf").json
    assert (info["width"], info["height"]) == (3000, 1500)
    r = client.get(info["url"])
    assert r.status_code == 200
    img = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (1500, 3000) and img[1400, 100] < 60  # the box, bottom left
