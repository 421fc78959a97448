"""The request log's line as the people running the site read it: one JSON object per line on stderr."""

from __future__ import annotations

import json


def test_each_request_writes_one_json_line_to_stderr(client, capsys):
    capsys.readouterr()
    response = client.put("/api/v1/attempts/5/answers", json={"answers": {}},
                          headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    response.close()  # the line is written when the server closes the body
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    line = lines[0]
    assert line["method"] == "PUT" and line["path"] == "/api/v1/attempts/5/answers" and line["status"] == 401
    assert line["request_id"] == response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    assert set(line) == {"time", "method", "path", "status", "duration_ms", "client", "user_id", "request_id"}


def test_a_request_id_that_is_not_one_is_replaced(client, capsys):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    response.close()
    made = response.headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert json.loads(capsys.readouterr().err.strip().splitlines()[-1])["request_id"] == made
