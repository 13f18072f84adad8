"""Potato 2.12's keys for the survey-method types load unchanged, without warnings."""

POTATO_SCHEMES = [
    {
        "annotation_type": "cloze",
        "name": "cloze_1",
        "description": "Fill in the missing words.",
        "text": "The [[cat|kitten]] sat on the [[mat]].",
        "scoring": "case_insensitive",
        "input_width": 10,
        "label_requirement": {"required": True},
    },
    {
        "annotation_type": "cloze",
        "name": "ctest",
        "description": "Complete the words.",
        "source_field": "passage",
        "answer_field": "answers",
    },
    {
        "annotation_type": "list_experiment",
        "name": "lists",
        "description": "How many of these statements are true for you?",
        "items": ["I own a bicycle.", "I have been to a concert this year."],
        "sensitive_item": "I have driven after drinking in the last year.",
        "treatment": {"factor": "list_group", "level": "treatment"},
        "sensitive_position": 1,
        "count_prompt": "Number of statements:",
    },
    {
        "annotation_type": "randomized_response",
        "name": "rr",
        "description": "A question",
        "method": "forced_response",
        "question": "Have you ever cheated?",
        "randomizer": "Roll a die ...",
        "p_truth": 0.5,
        "p_yes": 0.25,
        "p_no": 0.25,
    },
    {
        "annotation_type": "randomized_response",
        "name": "cw",
        "description": "Two statements",
        "method": "crosswise",
        "question": "I have evaded taxes.",
        "nonsensitive_statement": "My birthday is in January.",
        "nonsensitive_prevalence": 0.0833,
    },
    {
        "annotation_type": "price_list",
        "name": "hl",
        "description": "Choose",
        "preset": "holt_laury",
        "scale": 2,
        "currency": "£",
        "single_switch": True,
        "option_labels": ["Lottery A", "Lottery B"],
        "instructions": "One row is paid.",
    },
    {
        "annotation_type": "price_list",
        "name": "tp",
        "description": "Choose",
        "preset": "time_preference",
        "amount_now": 10,
        "amounts_later": [10, 11, 12],
        "now_label": "today",
        "delay_label": "in 4 weeks",
    },
    {
        "annotation_type": "price_list",
        "name": "own",
        "description": "Choose",
        "rows": [
            {"a": "x", "b_pays": [[0.5, 4], [0.5, 0]], "b_after": "in a week"},
            {"a_pays": 2, "b": "y", "a_after": "now"},
        ],
    },
    {
        "annotation_type": "bdm",
        "name": "wtp",
        "description": "Bid",
        "min": 0,
        "max": 5,
        "step": 0.25,
        "input": "slider",
        "currency": "$",
        "bid_label": "Your bid",
        "instructions": "A price is drawn.",
    },
    {
        "annotation_type": "belief_elicitation",
        "name": "p",
        "description": "Chance",
        "mode": "point",
        "step": 5,
        "left_label": "No",
        "right_label": "Yes",
        "instructions": "Move the slider.",
    },
    {
        "annotation_type": "belief_elicitation",
        "name": "b",
        "description": "Spread",
        "mode": "bins",
        "bins": ["<10", "10-20", ">20"],
    },
]


def test_potato_keys_load_without_warnings(make_project):
    app = make_project(schemes=POTATO_SCHEMES)
    config = app.extensions["potato_like"].config
    warnings = [w for w in config.warnings if "annotation_schemes" in w]
    assert not warnings, warnings
    assert [s.type_name for s in config.schemes] == [s["annotation_type"] for s in POTATO_SCHEMES]
    client = app.test_client()
    client.post("/auth", data={"username": "a"})
    assert client.get("/annotate").status_code == 200
