-- A Minyi server database at schema version 2, made by tests/data/make_server_upgrades.py from the
-- migrations as they shipped and a township's data of that time. Do not edit: run the script.
BEGIN TRANSACTION;
CREATE TABLE answer_tallies (
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  question TEXT NOT NULL,
  value TEXT NOT NULL,
  site_id TEXT NOT NULL,
  week TEXT NOT NULL,
  n INTEGER NOT NULL CHECK (n >= 0),
  PRIMARY KEY (form_id, form_version, site_id, week, question, value)
) STRICT, WITHOUT ROWID;
INSERT INTO "answer_tallies" VALUES('quick',1,'','','donghu-dqfwzx','2026-11-09',3);
INSERT INTO "answer_tallies" VALUES('quick',1,'satisfaction','satisfied','donghu-dqfwzx','2026-11-09',2);
INSERT INTO "answer_tallies" VALUES('quick',1,'satisfaction','unsatisfied','donghu-dqfwzx','2026-11-09',1);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO "audit_log" VALUES(1,'2026-11-01T00:00:00.000Z','cli:root','user_add','wang','','');
CREATE TABLE communities (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  households INTEGER NOT NULL CHECK (households >= 0)
) STRICT;
INSERT INTO "communities" VALUES('donghu','东湖社区',1516);
INSERT INTO "communities" VALUES('donglian','东联社区',1869);
INSERT INTO "communities" VALUES('huayuan','花园社区',1300);
CREATE TABLE devices (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  -- SHA-256 of the one-time enrollment code; both NULL once the code was used
  code_hash TEXT UNIQUE,
  code_expires_at TEXT,
  -- SHA-256 of the device's token; the token itself is never stored
  token_hash TEXT UNIQUE,
  enrolled_at TEXT,
  revoked_at TEXT,
  last_contact TEXT,
  last_backlog INTEGER,
  app_version TEXT,
  CHECK ((code_hash IS NULL) = (code_expires_at IS NULL)),
  CHECK ((token_hash IS NULL) = (enrolled_at IS NULL))
) STRICT;
INSERT INTO "devices" VALUES('kiosk-donghu','donghu-dqfwzx','东湖 一号机','2026-11-01T01:00:00.000Z',NULL,NULL,'6becf864022442729ce604a84748c9055ee6d7caab6de3faeb345091e5fa3594','2026-11-01T01:05:00.000Z',NULL,'2026-11-20T03:00:00.000Z',2,'0.1.0');
INSERT INTO "devices" VALUES('kiosk-waiting','huayuan-dqfwzx','花园 二号机','2026-11-21T01:00:00.000Z','3e3be9bbfb7fcd9de48d56df6994c9f6fb99e9b7b495d365c68f8cd47b8c4a52','2026-11-22T01:00:00.000Z',NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE form_activations (
  form_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  activated_at TEXT NOT NULL,
  PRIMARY KEY (form_id, site_id),
  FOREIGN KEY (form_id, version) REFERENCES forms (id, version)
) STRICT;
INSERT INTO "form_activations" VALUES('quick','*',1,'2026-11-01T00:00:00.000Z');
CREATE TABLE forms (
  id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('survey', 'complaint', 'quick')),
  json TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (id, version)
) STRICT;
INSERT INTO "forms" VALUES('quick',1,'bd2a0eede337dbfb736f5bc81617fefcc57f7e801463b7e991e8f29653458d63','quick','{
  "title": {
    "default": "服务评价",
    "zh-cn": "服务评价",
    "zh-tw": "服務評價",
    "en": "Rate Our Service"
  },
  "description": {
    "default": "轻点一个表情就行",
    "zh-cn": "轻点一个表情就行",
    "zh-tw": "輕點一個表情就行",
    "en": "Just tap a face"
  },
  "minyi": {
    "id": "quick",
    "version": 1,
    "kind": "quick",
    "idleSeconds": 60
  },
  "showProgressBar": true,
  "autoAdvanceEnabled": true,
  "autoAdvanceAllowComplete": true,
  "completedHtml": {
    "default": "<h3>谢谢您的评价！</h3>",
    "zh-cn": "<h3>谢谢您的评价！</h3>",
    "zh-tw": "<h3>謝謝您的評價！</h3>",
    "en": "<h3>Thank you for your rating!</h3>"
  },
  "pages": [
    {
      "name": "p_rate",
      "elements": [
        {
          "type": "rating",
          "name": "satisfaction",
          "title": {
            "default": "您对今天的服务满意吗？",
            "zh-cn": "您对今天的服务满意吗？",
            "zh-tw": "您對今天的服務滿意嗎？",
            "en": "Are you satisfied with our service today?"
          },
          "isRequired": true,
          "rateType": "smileys",
          "rateValues": [
            {
              "value": "very_unsatisfied",
              "text": {
                "default": "非常不满意",
                "zh-cn": "非常不满意",
                "zh-tw": "非常不滿意",
                "en": "Very dissatisfied"
              }
            },
            {
              "value": "unsatisfied",
              "text": {
                "default": "不满意",
                "zh-cn": "不满意",
                "zh-tw": "不滿意",
                "en": "Dissatisfied"
              }
            },
            {
              "value": "satisfied",
              "text": {
                "default": "满意",
                "zh-cn": "满意",
                "zh-tw": "滿意",
                "en": "Satisfied"
              }
            },
            {
              "value": "very_satisfied",
              "text": {
                "default": "非常满意",
                "zh-cn": "非常满意",
                "zh-tw": "非常滿意",
                "en": "Very satisfied"
              }
            }
          ]
        }
      ]
    }
  ]
}
','2026-11-01T00:00:00.000Z');
CREATE TABLE notice_sites (
  notice_id TEXT NOT NULL REFERENCES notices (id),
  site_id TEXT NOT NULL,
  PRIMARY KEY (notice_id, site_id)
) STRICT;
INSERT INTO "notice_sites" VALUES('notice-fixes','*');
CREATE TABLE notices (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,  -- JSON: {"zh-cn": ..., "zh-tw": ..., "en": ...}
  body TEXT NOT NULL,
  published_at TEXT NOT NULL,
  until TEXT
, withdrawn_at TEXT) STRICT;
INSERT INTO "notices" VALUES('notice-fixes','{"zh-cn": "整改情况公示"}','{"zh-cn": "东湖社区楼道灯已修复。"}','2026-11-15T00:00:00.000Z',NULL,NULL);
CREATE TABLE sites (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  -- NULL: a township-wide site such as the street office
  community_id TEXT REFERENCES communities (id)
) STRICT;
INSERT INTO "sites" VALUES('jiedao-office','街道办事处',NULL);
INSERT INTO "sites" VALUES('jiedao-culture','街道文化中心',NULL);
INSERT INTO "sites" VALUES('donghu-dqfwzx','东湖社区党群服务中心','donghu');
INSERT INTO "sites" VALUES('donglian-dqfwzx','东联社区党群服务中心','donglian');
INSERT INTO "sites" VALUES('huayuan-dqfwzx','花园社区党群服务中心','huayuan');
INSERT INTO "sites" VALUES('donglian-culture','东联社区文化中心','donglian');
CREATE TABLE staff_sessions (
  -- SHA-256 of the cookie's token
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_name TEXT NOT NULL REFERENCES users (name),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
CREATE TABLE submissions (
  id TEXT PRIMARY KEY NOT NULL,
  -- '' for a USB export of a kiosk the server never enrolled
  device_id TEXT NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  form_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '[]',
  -- SHA-256 over the envelope fields and the sealed bytes: same id + same digest is a duplicate
  digest TEXT NOT NULL,
  sealed BLOB NOT NULL,
  answers TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('network', 'usb')),
  FOREIGN KEY (form_id, form_version) REFERENCES forms (id, version)
) STRICT;
INSERT INTO "submissions" VALUES('00000000-0000-4000-8000-000000000000','kiosk-donghu','donghu-dqfwzx','quick',1,'bd2a0eede337dbfb736f5bc81617fefcc57f7e801463b7e991e8f29653458d63','quick','2026-11-10T02:00:00.000Z','2026-11-10T02:00:01.000Z','[]','ec18eac8d758b1eba52d3c10d39adc6dd9806472cb4ae069635d383d9086a513',X'7365616C6564','{"satisfaction": "satisfied"}','network');
INSERT INTO "submissions" VALUES('00000000-0000-4000-8000-000000000001','kiosk-donghu','donghu-dqfwzx','quick',1,'bd2a0eede337dbfb736f5bc81617fefcc57f7e801463b7e991e8f29653458d63','quick','2026-11-11T02:00:00.000Z','2026-11-11T02:00:01.000Z','[]','e8bc163c82eee18733288c7d4ac636db3a6deb013ef2d37b68322be20edc45cc',X'7365616C6564','{"satisfaction": "satisfied"}','network');
INSERT INTO "submissions" VALUES('00000000-0000-4000-8000-000000000002','kiosk-donghu','donghu-dqfwzx','quick',1,'bd2a0eede337dbfb736f5bc81617fefcc57f7e801463b7e991e8f29653458d63','quick','2026-11-12T02:00:00.000Z','2026-11-12T02:00:01.000Z','[]','ad328846aa18b32a335816374511cac1063c704b8c57999e51da9f908290a7a4',X'7365616C6564','{"satisfaction": "unsatisfied"}','network');
CREATE TABLE users (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'handler', 'viewer')),
  display_name TEXT NOT NULL DEFAULT '',
  -- crypto_pwhash_str (argon2id); the password itself is never stored
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT
) STRICT;
INSERT INTO "users" VALUES('wang','admin','王主任','$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA','2026-11-01T00:00:00.000Z',NULL);
CREATE INDEX submissions_by_site ON submissions (site_id, created_at);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_name);
CREATE INDEX submissions_by_form ON submissions (form_id, form_version, created_at, id);
COMMIT;
PRAGMA user_version = 2;
PRAGMA application_id = 1299796854;
