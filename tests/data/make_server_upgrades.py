#!/usr/bin/env python3
# Makes tests/data/server-upgrade-<k>.sql: a Minyi server database at each released schema version k, as a
# township's server holds it — the migrations as they shipped, then a township's data of that time (kiosks, a
# form, submissions, a notice; staff and answer counts from 2; a complaint ticket from 3; kiosk refusals from 4;
# the kiosk's own id from 5; its report on itself from 6). tests/server/test_upgrade.cpp opens each with today's
# server.
# Usage (in the repository): python3 tests/data/make_server_upgrades.py
import hashlib
import json
import os
import re
import sqlite3
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The last commit whose sqlite_store.cpp holds steps 1-5 exactly as they shipped (step 1 with its seed rows), and
# the one that shipped step 6 (the kiosks' reports; its step 1 no longer seeds places, so steps 1-5 come from the
# first).
SHIPPED = "251efa5"
SHIPPED_6 = "fbc5fa1"
APPLICATION_ID = 1299796854


def steps_at(commit):
    text = subprocess.check_output(["git", "-C", ROOT, "show", commit + ":sync/server/src/sqlite_store.cpp"], text=True)
    start = text.index("const char* const kMigrations[] = {")
    end = text.index("\n};", start)
    return re.findall(r'R"sql\((.*?)\)sql"', text[start:end], re.S)


def shipped_steps():
    return steps_at(SHIPPED)[:5] + steps_at(SHIPPED_6)[5:6]


def form(name):
    text = open(os.path.join(ROOT, "assets", "forms", name + ".json"), encoding="utf-8").read()
    parsed = json.loads(text)
    # protocol::formContentHash: SHA-256 of the form as nlohmann::json dumps it (keys sorted, compact, UTF-8).
    canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return parsed["minyi"], hashlib.sha256(canonical.encode()).hexdigest(), text


def township_data(db, k):
    x = db.execute
    x("INSERT INTO devices (id, site_id, name, created_at, token_hash, enrolled_at, last_contact, last_backlog, app_version) "
      "VALUES ('kiosk-donghu', 'donghu-dqfwzx', '东湖 一号机', '2026-11-01T01:00:00.000Z', ?, '2026-11-01T01:05:00.000Z', "
      "'2026-11-20T03:00:00.000Z', 2, '0.1.0')", (hashlib.sha256(b"token-donghu").hexdigest(),))
    x("INSERT INTO devices (id, site_id, name, created_at, code_hash, code_expires_at) VALUES ('kiosk-waiting', "
      "'huayuan-dqfwzx', '花园 二号机', '2026-11-21T01:00:00.000Z', ?, '2026-11-22T01:00:00.000Z')",
      (hashlib.sha256(b"K3M9Q2XH7R").hexdigest(),))
    for name in ["quick"] + (["complaint"] if k >= 3 else []):
        minyi, digest, text = form(name)
        x("INSERT INTO forms (id, version, hash, kind, json, uploaded_at) VALUES (?, ?, ?, ?, ?, '2026-11-01T00:00:00.000Z')",
          (minyi["id"], minyi["version"], digest, minyi["kind"], text))
        x("INSERT INTO form_activations (form_id, site_id, version, activated_at) VALUES (?, '*', ?, '2026-11-01T00:00:00.000Z')",
          (minyi["id"], minyi["version"]))
    quick_hash = form("quick")[1]
    for i, rating in enumerate(["satisfied", "satisfied", "unsatisfied"]):
        x("INSERT INTO submissions (id, device_id, site_id, form_id, form_version, form_hash, kind, created_at, received_at, "
          "digest, sealed, answers, via) VALUES (?, 'kiosk-donghu', 'donghu-dqfwzx', 'quick', 1, ?, 'quick', ?, ?, ?, ?, ?, 'network')",
          ("00000000-0000-4000-8000-00000000000%d" % i, quick_hash, "2026-11-1%dT02:00:00.000Z" % i,
           "2026-11-1%dT02:00:01.000Z" % i, hashlib.sha256(b"s%d" % i).hexdigest(), b"sealed", json.dumps({"satisfaction": rating})))
    x("INSERT INTO notices (id, title, body, published_at) VALUES ('notice-fixes', ?, ?, '2026-11-15T00:00:00.000Z')",
      (json.dumps({"zh-cn": "整改情况公示"}, ensure_ascii=False), json.dumps({"zh-cn": "东湖社区楼道灯已修复。"}, ensure_ascii=False)))
    x("INSERT INTO notice_sites (notice_id, site_id) VALUES ('notice-fixes', '*')")
    if k >= 2:
        x("INSERT INTO users (name, role, display_name, password_hash, created_at) VALUES ('wang', 'admin', '王主任', "
          "'$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA', '2026-11-01T00:00:00.000Z')")
        x("INSERT INTO audit_log (at, actor, action, target) VALUES ('2026-11-01T00:00:00.000Z', 'cli:root', 'user_add', 'wang')")
        # Counts as ingest kept them: the submissions themselves ('' question) and the one answer, per week.
        for rating, n in [("satisfied", 2), ("unsatisfied", 1)]:
            x("INSERT INTO answer_tallies VALUES ('quick', 1, 'satisfaction', ?, 'donghu-dqfwzx', '2026-11-09', ?)", (rating, n))
        x("INSERT INTO answer_tallies VALUES ('quick', 1, '', '', 'donghu-dqfwzx', '2026-11-09', 3)")
    if k >= 3:
        # Added after schema 3, each kiosk was given its number by `minyi device add`.
        x("UPDATE devices SET kiosk_number = CASE id WHEN 'kiosk-donghu' THEN 1 ELSE 2 END")
        minyi, digest, _ = form("complaint")
        x("INSERT INTO submissions (id, device_id, site_id, form_id, form_version, form_hash, kind, created_at, received_at, "
          "digest, sealed, answers, via) VALUES ('00000000-0000-4000-8000-0000000000c1', 'kiosk-donghu', 'donghu-dqfwzx', "
          "'complaint', ?, ?, 'complaint', '2026-11-18T02:00:00.000Z', '2026-11-18T02:00:01.000Z', ?, x'00', ?, 'network')",
          (minyi["version"], digest, hashlib.sha256(b"c1").hexdigest(),
           json.dumps({"category": "hygiene", "community": "donghu", "description": "楼道里堆满了杂物"}, ensure_ascii=False)))
        x("INSERT INTO tickets (code, key_hash, submission_id, device_id, site_id, community_id, category, created_at, "
          "received_at, status, due_at, deadline, updated_at) VALUES ('00W0000011', ?, '00000000-0000-4000-8000-0000000000c1', "
          "'kiosk-donghu', 'donghu-dqfwzx', 'donghu', 'hygiene', '2026-11-18T02:00:00.000Z', '2026-11-18T02:00:01.000Z', "
          "'received', '2026-11-23T16:00:00.000Z', '3wd', '2026-11-18T02:00:01.000Z')", (hashlib.sha256(b"key").hexdigest(),))
        x("INSERT INTO ticket_log (code, at, actor, action, status, due_at) VALUES ('00W0000011', '2026-11-18T02:00:01.000Z', "
          "'kiosk:kiosk-donghu', 'receive', 'received', '2026-11-23T16:00:00.000Z')")
    if k >= 4:
        x("UPDATE devices SET last_refusal = 'form quick version 9 is not on this server', "
          "last_refusal_at = '2026-11-19T02:00:00.000Z' WHERE id = 'kiosk-donghu'")
    if k >= 5:
        x("UPDATE devices SET kiosk_id = 'kiosk-3f9a0c1d' WHERE id = 'kiosk-donghu'")
    if k >= 6:
        report = {"app_version": "0.1.0", "disk_free_bytes": 12884901888, "outbox": 2,
                  "oldest_unsent": "2026-11-20T02:50:00.000Z", "screen": "1080x1920"}
        x("UPDATE devices SET report = ?, report_at = '2026-11-20T03:00:00.000Z', previous_outbox = 3 WHERE id = 'kiosk-donghu'",
          (json.dumps(report),))


def main():
    steps = shipped_steps()
    for k in range(1, len(steps) + 1):
        db = sqlite3.connect(":memory:")
        for step in steps[:k]:
            db.executescript(step)
        township_data(db, k)
        db.commit()
        out = os.path.join(ROOT, "tests", "data", "server-upgrade-%d.sql" % k)
        with open(out, "w", encoding="utf-8") as f:
            f.write("-- A Minyi server database at schema version %d, made by tests/data/make_server_upgrades.py from the\n"
                    "-- migrations as they shipped and a township's data of that time. Do not edit: run the script.\n" % k)
            for line in db.iterdump():
                f.write(line + "\n")
            f.write("PRAGMA user_version = %d;\nPRAGMA application_id = %d;\n" % (k, APPLICATION_ID))
        print(out)


if __name__ == "__main__":
    main()
