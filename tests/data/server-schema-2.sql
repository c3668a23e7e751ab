-- A Minyi server database at schema version 2 (before kiosk numbers and tickets), as servers in the field
-- hold it: made from the shipped migrations 1 and 2 of sync/server/src/sqlite_store.cpp, plus three
-- devices (enrolled, revoked, waiting for its code). tests/server/test_tickets.cpp opens it with today's server.
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
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT ''
) STRICT;
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
INSERT INTO "devices" VALUES('kiosk-donghu','donghu-dqfwzx','东湖 一号机','2026-09-01T02:00:00.000Z',NULL,NULL,'aa11','2026-09-01T02:05:00.000Z',NULL,'2026-11-20T03:00:00.000Z',NULL,'0.1.0');
INSERT INTO "devices" VALUES('kiosk-old','donglian-dqfwzx','东联 旧机','2026-09-02T02:00:00.000Z',NULL,NULL,'bb22','2026-09-02T02:05:00.000Z','2026-10-01T00:00:00.000Z',NULL,NULL,'0.1.0');
INSERT INTO "devices" VALUES('kiosk-waiting','huayuan-dqfwzx','花园 二号机','2026-11-25T02:00:00.000Z','cc33','2026-11-26T02:00:00.000Z',NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE form_activations (
  form_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  activated_at TEXT NOT NULL,
  PRIMARY KEY (form_id, site_id),
  FOREIGN KEY (form_id, version) REFERENCES forms (id, version)
) STRICT;
CREATE TABLE forms (
  id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('survey', 'complaint', 'quick')),
  json TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (id, version)
) STRICT;
CREATE TABLE notice_sites (
  notice_id TEXT NOT NULL REFERENCES notices (id),
  site_id TEXT NOT NULL,
  PRIMARY KEY (notice_id, site_id)
) STRICT;
CREATE TABLE notices (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,  -- JSON: {"zh-cn": ..., "zh-tw": ..., "en": ...}
  body TEXT NOT NULL,
  published_at TEXT NOT NULL,
  until TEXT
, withdrawn_at TEXT) STRICT;
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
CREATE TABLE users (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'handler', 'viewer')),
  display_name TEXT NOT NULL DEFAULT '',
  -- crypto_pwhash_str (argon2id); the password itself is never stored
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT
) STRICT;
CREATE INDEX submissions_by_site ON submissions (site_id, created_at);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_name);
CREATE INDEX submissions_by_form ON submissions (form_id, form_version, created_at, id);
COMMIT;
PRAGMA user_version = 2;
PRAGMA application_id = 1299796854;
