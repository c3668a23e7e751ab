-- A Minyi server database at schema version 6, made by tests/data/make_server_upgrades.py from the
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
  app_version TEXT, kiosk_number INTEGER CHECK (kiosk_number BETWEEN 1 AND 8191), last_refusal TEXT, last_refusal_at TEXT, clock_skew_seconds INTEGER, kiosk_id TEXT, report TEXT, report_at TEXT, previous_outbox INTEGER,
  CHECK ((code_hash IS NULL) = (code_expires_at IS NULL)),
  CHECK ((token_hash IS NULL) = (enrolled_at IS NULL))
) STRICT;
INSERT INTO "devices" VALUES('kiosk-donghu','donghu-dqfwzx','东湖 一号机','2026-11-01T01:00:00.000Z',NULL,NULL,'6becf864022442729ce604a84748c9055ee6d7caab6de3faeb345091e5fa3594','2026-11-01T01:05:00.000Z',NULL,'2026-11-20T03:00:00.000Z',2,'0.1.0',1,'form quick version 9 is not on this server','2026-11-19T02:00:00.000Z',NULL,'kiosk-3f9a0c1d','{"app_version": "0.1.0", "disk_free_bytes": 12884901888, "outbox": 2, "oldest_unsent": "2026-11-20T02:50:00.000Z", "screen": "1080x1920"}','2026-11-20T03:00:00.000Z',3);
INSERT INTO "devices" VALUES('kiosk-waiting','huayuan-dqfwzx','花园 二号机','2026-11-21T01:00:00.000Z','3e3be9bbfb7fcd9de48d56df6994c9f6fb99e9b7b495d365c68f8cd47b8c4a52','2026-11-22T01:00:00.000Z',NULL,NULL,NULL,NULL,NULL,NULL,2,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE form_activations (
  form_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  activated_at TEXT NOT NULL,
  PRIMARY KEY (form_id, site_id),
  FOREIGN KEY (form_id, version) REFERENCES forms (id, version)
) STRICT;
INSERT INTO "form_activations" VALUES('quick','*',1,'2026-11-01T00:00:00.000Z');
INSERT INTO "form_activations" VALUES('complaint','*',1,'2026-11-01T00:00:00.000Z');
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
INSERT INTO "forms" VALUES('complaint',1,'cddb6e118ef851e16faeada94450f2b7d16c95d4e3d46a341ee8fc59274961fd','complaint','{
  "title": {
    "default": "投诉举报",
    "zh-cn": "投诉举报",
    "zh-tw": "投訴舉報",
    "en": "Complaints and Reports"
  },
  "description": {
    "default": "反映身边的消防隐患、环境卫生、私搭乱建、楼道灯、飞线充电、物业管理和工作人员作风等问题。提交后会给您受理编号和二维码，可随时查询办理进度。默认匿名。",
    "zh-cn": "反映身边的消防隐患、环境卫生、私搭乱建、楼道灯、飞线充电、物业管理和工作人员作风等问题。提交后会给您受理编号和二维码，可随时查询办理进度。默认匿名。",
    "zh-tw": "反映身邊的消防隱患、環境衛生、私搭亂建、樓道燈、飛線充電、物業管理和工作人員作風等問題。提交後會給您受理編號和二維碼，可隨時查詢辦理進度。預設匿名。",
    "en": "Report fire hazards, dirty spots, illegal building, broken stairwell lights, unsafe e-bike charging, property management or staff conduct. You get a ticket number and a QR code to follow progress. Anonymous by default."
  },
  "minyi": {
    "id": "complaint",
    "version": 1,
    "kind": "complaint",
    "idleSeconds": 90,
    "keepPartial": false,
    "categories": [
      {
        "value": "fire_safety",
        "text": {
          "default": "消防安全隐患",
          "zh-cn": "消防安全隐患",
          "zh-tw": "消防安全隱患",
          "en": "Fire safety hazard"
        },
        "deadlineHours": 24
      },
      {
        "value": "hygiene",
        "text": {
          "default": "环境卫生（卫生死角、垃圾堆放）",
          "zh-cn": "环境卫生（卫生死角、垃圾堆放）",
          "zh-tw": "環境衛生（衛生死角、垃圾堆放）",
          "en": "Sanitation (dirty corners, piled-up rubbish)"
        },
        "deadlineWorkingDays": 3
      },
      {
        "value": "building",
        "text": {
          "default": "私搭乱建",
          "zh-cn": "私搭乱建",
          "zh-tw": "私搭亂建",
          "en": "Illegal building or sheds"
        },
        "deadlineDays": 7
      },
      {
        "value": "hallway_lights",
        "text": {
          "default": "楼道灯不亮",
          "zh-cn": "楼道灯不亮",
          "zh-tw": "樓道燈不亮",
          "en": "Stairwell lights not working"
        },
        "deadlineDays": 7
      },
      {
        "value": "ebike_charging",
        "text": {
          "default": "电动车飞线充电",
          "zh-cn": "电动车飞线充电",
          "zh-tw": "電動車飛線充電",
          "en": "E-bike charging from cables hung out of windows"
        },
        "deadlineHours": 24
      },
      {
        "value": "fire_lane",
        "text": {
          "default": "消防通道被占用、乱停车",
          "zh-cn": "消防通道被占用、乱停车",
          "zh-tw": "消防通道被佔用、亂停車",
          "en": "Blocked fire lane, bad parking"
        },
        "deadlineHours": 24
      },
      {
        "value": "property",
        "text": {
          "default": "物业管理",
          "zh-cn": "物业管理",
          "zh-tw": "物業管理",
          "en": "Property management"
        },
        "deadlineDays": 7
      },
      {
        "value": "staff_conduct",
        "text": {
          "default": "工作人员作风（门难进、脸难看、话难听、事难办）",
          "zh-cn": "工作人员作风（门难进、脸难看、话难听、事难办）",
          "zh-tw": "工作人員作風（門難進、臉難看、話難聽、事難辦）",
          "en": "Staff conduct (rude, unhelpful, obstructive)"
        },
        "deadlineWorkingDays": 13
      },
      {
        "value": "other",
        "text": {
          "default": "其他问题",
          "zh-cn": "其他问题",
          "zh-tw": "其他問題",
          "en": "Something else"
        },
        "deadlineDays": 7
      }
    ]
  },
  "showProgressBar": true,
  "clearInvisibleValues": "onHidden",
  "completeText": {
    "default": "提交投诉",
    "zh-cn": "提交投诉",
    "zh-tw": "提交投訴",
    "en": "Submit complaint"
  },
  "completedHtml": {
    "default": "<h3>您的投诉已受理</h3><p>请记下受理编号，或用手机扫描二维码查询办理进度。我们会在承诺时限内办理并答复。</p>",
    "zh-cn": "<h3>您的投诉已受理</h3><p>请记下受理编号，或用手机扫描二维码查询办理进度。我们会在承诺时限内办理并答复。</p>",
    "zh-tw": "<h3>您的投訴已受理</h3><p>請記下受理編號，或用手機掃描二維碼查詢辦理進度。我們會在承諾時限內辦理並答覆。</p>",
    "en": "<h3>Your complaint has been received</h3><p>Note your ticket number, or scan the QR code with your phone to follow progress. We will handle it and reply within the promised time.</p>"
  },
  "pages": [
    {
      "name": "p_category",
      "elements": [
        {
          "type": "html",
          "name": "emergency_note",
          "html": {
            "default": "<p><b>紧急情况请直接拨打 119（火警）、110（报警）、120（急救）。</b>本机不受理紧急求助。</p>",
            "zh-cn": "<p><b>紧急情况请直接拨打 119（火警）、110（报警）、120（急救）。</b>本机不受理紧急求助。</p>",
            "zh-tw": "<p><b>緊急情況請直接撥打 119（火警）、110（報警）、120（急救）。</b>本機不受理緊急求助。</p>",
            "en": "<p><b>In an emergency call 119 (fire), 110 (police) or 120 (ambulance) directly.</b> This kiosk does not handle emergencies.</p>"
          }
        },
        {
          "type": "radiogroup",
          "name": "category",
          "title": {
            "default": "您要反映哪一类问题？",
            "zh-cn": "您要反映哪一类问题？",
            "zh-tw": "您要反映哪一類問題？",
            "en": "What kind of problem are you reporting?"
          },
          "isRequired": true,
          "choices": [
            {
              "value": "fire_safety",
              "text": {
                "default": "消防安全隐患",
                "zh-cn": "消防安全隐患",
                "zh-tw": "消防安全隱患",
                "en": "Fire safety hazard"
              }
            },
            {
              "value": "hygiene",
              "text": {
                "default": "环境卫生（卫生死角、垃圾堆放）",
                "zh-cn": "环境卫生（卫生死角、垃圾堆放）",
                "zh-tw": "環境衛生（衛生死角、垃圾堆放）",
                "en": "Sanitation (dirty corners, piled-up rubbish)"
              }
            },
            {
              "value": "building",
              "text": {
                "default": "私搭乱建",
                "zh-cn": "私搭乱建",
                "zh-tw": "私搭亂建",
                "en": "Illegal building or sheds"
              }
            },
            {
              "value": "hallway_lights",
              "text": {
                "default": "楼道灯不亮",
                "zh-cn": "楼道灯不亮",
                "zh-tw": "樓道燈不亮",
                "en": "Stairwell lights not working"
              }
            },
            {
              "value": "ebike_charging",
              "text": {
                "default": "电动车飞线充电",
                "zh-cn": "电动车飞线充电",
                "zh-tw": "電動車飛線充電",
                "en": "E-bike charging from cables hung out of windows"
              }
            },
            {
              "value": "fire_lane",
              "text": {
                "default": "消防通道被占用、乱停车",
                "zh-cn": "消防通道被占用、乱停车",
                "zh-tw": "消防通道被佔用、亂停車",
                "en": "Blocked fire lane, bad parking"
              }
            },
            {
              "value": "property",
              "text": {
                "default": "物业管理",
                "zh-cn": "物业管理",
                "zh-tw": "物業管理",
                "en": "Property management"
              }
            },
            {
              "value": "staff_conduct",
              "text": {
                "default": "工作人员作风（门难进、脸难看、话难听、事难办）",
                "zh-cn": "工作人员作风（门难进、脸难看、话难听、事难办）",
                "zh-tw": "工作人員作風（門難進、臉難看、話難聽、事難辦）",
                "en": "Staff conduct (rude, unhelpful, obstructive)"
              }
            },
            {
              "value": "other",
              "text": {
                "default": "其他问题",
                "zh-cn": "其他问题",
                "zh-tw": "其他問題",
                "en": "Something else"
              }
            }
          ]
        },
        {
          "type": "html",
          "name": "staff_note",
          "visibleIf": "{category} = ''staff_conduct''",
          "html": {
            "default": "<p>对工作人员的投诉由纪检部门办理，投诉人信息严格保密。</p>",
            "zh-cn": "<p>对工作人员的投诉由纪检部门办理，投诉人信息严格保密。</p>",
            "zh-tw": "<p>對工作人員的投訴由紀檢部門辦理，投訴人資料嚴格保密。</p>",
            "en": "<p>Complaints about staff are handled by the discipline inspection office, and your identity is kept confidential.</p>"
          }
        }
      ]
    },
    {
      "name": "p_location",
      "elements": [
        {
          "type": "radiogroup",
          "name": "community",
          "title": {
            "default": "问题发生在哪个社区？",
            "zh-cn": "问题发生在哪个社区？",
            "zh-tw": "問題發生在哪個社區？",
            "en": "In which community is the problem?"
          },
          "isRequired": true,
          "choices": [
            {
              "value": "donghu",
              "text": {
                "default": "东湖社区",
                "zh-cn": "东湖社区",
                "zh-tw": "東湖社區",
                "en": "Donghu Community"
              }
            },
            {
              "value": "donglian",
              "text": {
                "default": "东联社区",
                "zh-cn": "东联社区",
                "zh-tw": "東聯社區",
                "en": "Donglian Community"
              }
            },
            {
              "value": "huayuan",
              "text": {
                "default": "花园社区",
                "zh-cn": "花园社区",
                "zh-tw": "花園社區",
                "en": "Huayuan Community"
              }
            }
          ]
        },
        {
          "type": "text",
          "name": "location",
          "visibleIf": "{community} notempty",
          "title": {
            "default": "问题在{community}的什么位置？（选填）",
            "zh-cn": "问题在{community}的什么位置？（选填）",
            "zh-tw": "問題在{community}的什麼位置？（選填）",
            "en": "Where exactly in {community}? (optional)"
          },
          "maxLength": 100,
          "placeholder": {
            "default": "例如：3号楼2单元楼道",
            "zh-cn": "例如：3号楼2单元楼道",
            "zh-tw": "例如：3號樓2單元樓道",
            "en": "e.g. Building 3, entrance 2, stairwell"
          }
        }
      ]
    },
    {
      "name": "p_description",
      "elements": [
        {
          "type": "comment",
          "name": "description",
          "title": {
            "default": "请描述问题的具体情况",
            "zh-cn": "请描述问题的具体情况",
            "zh-tw": "請描述問題的具體情況",
            "en": "Please describe the problem"
          },
          "description": {
            "default": "什么时间、什么地方、发生了什么。请不要填写他人的电话、身份证号等个人信息。",
            "zh-cn": "什么时间、什么地方、发生了什么。请不要填写他人的电话、身份证号等个人信息。",
            "zh-tw": "什麼時間、什麼地方、發生了什麼。請不要填寫他人的電話、身分證號碼等個人資料。",
            "en": "When, where and what happened. Please do not include other people''s phone or ID numbers."
          },
          "isRequired": true,
          "requiredErrorText": {
            "default": "请写下您要反映的问题",
            "zh-cn": "请写下您要反映的问题",
            "zh-tw": "請寫下您要反映的問題",
            "en": "Please describe the problem"
          },
          "maxLength": 500,
          "rows": 6,
          "placeholder": {
            "default": "最多 500 字",
            "zh-cn": "最多 500 字",
            "zh-tw": "最多 500 字",
            "en": "Up to 500 characters"
          },
          "validators": [
            {
              "type": "text",
              "minLength": 5,
              "maxLength": 500,
              "text": {
                "default": "请写 5 到 500 个字，把问题说清楚",
                "zh-cn": "请写 5 到 500 个字，把问题说清楚",
                "zh-tw": "請寫 5 到 500 個字，把問題說清楚",
                "en": "Please write between 5 and 500 characters so we understand the problem"
              }
            }
          ]
        }
      ]
    },
    {
      "name": "p_contact",
      "elements": [
        {
          "type": "boolean",
          "name": "anonymous",
          "title": {
            "default": "是否匿名反映？",
            "zh-cn": "是否匿名反映？",
            "zh-tw": "是否匿名反映？",
            "en": "Report anonymously?"
          },
          "description": {
            "default": "匿名也可以凭受理编号查询办理进度。",
            "zh-cn": "匿名也可以凭受理编号查询办理进度。",
            "zh-tw": "匿名也可以憑受理編號查詢辦理進度。",
            "en": "You can still follow progress with your ticket number."
          },
          "defaultValue": true,
          "isRequired": true,
          "labelTrue": {
            "default": "匿名",
            "zh-cn": "匿名",
            "zh-tw": "匿名",
            "en": "Yes, anonymous"
          },
          "labelFalse": {
            "default": "留电话，方便联系",
            "zh-cn": "留电话，方便联系",
            "zh-tw": "留電話，方便聯絡",
            "en": "No, I''ll leave my phone number"
          }
        },
        {
          "type": "text",
          "name": "phone",
          "visibleIf": "{anonymous} = false",
          "requiredIf": "{anonymous} = false",
          "title": {
            "default": "手机号码",
            "zh-cn": "手机号码",
            "zh-tw": "手機號碼",
            "en": "Mobile number"
          },
          "inputType": "tel",
          "maxLength": 11,
          "placeholder": {
            "default": "11 位手机号码",
            "zh-cn": "11 位手机号码",
            "zh-tw": "11 位手機號碼",
            "en": "11-digit mobile number"
          },
          "requiredErrorText": {
            "default": "请输入手机号码，或改选匿名",
            "zh-cn": "请输入手机号码，或改选匿名",
            "zh-tw": "請輸入手機號碼，或改選匿名",
            "en": "Enter your mobile number, or choose anonymous"
          },
          "validators": [
            {
              "type": "regex",
              "regex": "^1[3-9]\\d{9}$",
              "text": {
                "default": "请输入 11 位手机号码，以 1 开头",
                "zh-cn": "请输入 11 位手机号码，以 1 开头",
                "zh-tw": "請輸入 11 位手機號碼，以 1 開頭",
                "en": "Enter an 11-digit mobile number starting with 1"
              }
            }
          ]
        },
        {
          "type": "boolean",
          "name": "consent",
          "visibleIf": "{phone} notempty",
          "requiredIf": "{phone} notempty",
          "title": {
            "default": "同意工作人员使用此号码联系我，仅用于处理本次投诉",
            "zh-cn": "同意工作人员使用此号码联系我，仅用于处理本次投诉",
            "zh-tw": "同意工作人員使用此號碼聯絡我，僅用於處理本次投訴",
            "en": "I agree that staff may contact me on this number, only to handle this complaint"
          },
          "labelTrue": {
            "default": "同意",
            "zh-cn": "同意",
            "zh-tw": "同意",
            "en": "I agree"
          },
          "labelFalse": {
            "default": "不同意",
            "zh-cn": "不同意",
            "zh-tw": "不同意",
            "en": "I do not agree"
          },
          "requiredErrorText": {
            "default": "请选择是否同意",
            "zh-cn": "请选择是否同意",
            "zh-tw": "請選擇是否同意",
            "en": "Please say whether you agree"
          },
          "validators": [
            {
              "type": "expression",
              "expression": "{consent} = true",
              "text": {
                "default": "未经您同意，号码不会保存：请同意，或清除号码、改选匿名",
                "zh-cn": "未经您同意，号码不会保存：请同意，或清除号码、改选匿名",
                "zh-tw": "未經您同意，號碼不會保留：請同意，或清除號碼、改選匿名",
                "en": "Without your consent we cannot keep the number: agree, or clear it and choose anonymous"
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
INSERT INTO "submissions" VALUES('00000000-0000-4000-8000-0000000000c1','kiosk-donghu','donghu-dqfwzx','complaint',1,'cddb6e118ef851e16faeada94450f2b7d16c95d4e3d46a341ee8fc59274961fd','complaint','2026-11-18T02:00:00.000Z','2026-11-18T02:00:01.000Z','[]','d0f631ca1ddba8db3bcfcb9e057cdc98d0379f1bee00e75a545147a27dadd982',X'00','{"category": "hygiene", "community": "donghu", "description": "楼道里堆满了杂物"}','network');
CREATE TABLE ticket_log (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL REFERENCES tickets (code),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  -- the id a kiosk gave a follow-up rating: the same rating sent twice is applied once
  ref TEXT UNIQUE,
  -- the ticket's deadline after this change: on-time rates judge each resolution by the deadline of its time
  due_at TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO "ticket_log" VALUES(1,'00W0000011','2026-11-18T02:00:01.000Z','kiosk:kiosk-donghu','receive','received','',NULL,'2026-11-23T16:00:00.000Z');
CREATE TABLE tickets (
  code TEXT PRIMARY KEY NOT NULL,
  -- SHA-256 of the QR link's access key; the key itself is never stored
  key_hash TEXT NOT NULL,
  submission_id TEXT NOT NULL UNIQUE REFERENCES submissions (id),
  device_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  -- NULL: not known yet (a township-wide site and no community answered)
  community_id TEXT REFERENCES communities (id),
  category TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('received', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened',
                                         'rejected')),
  assignee TEXT NOT NULL DEFAULT '',
  due_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  public_reply TEXT NOT NULL DEFAULT '',
  text_public INTEGER NOT NULL DEFAULT 0 CHECK (text_public IN (0, 1)),
  resolved_at TEXT,
  closed_at TEXT,
  rating TEXT CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
  rated_at TEXT,
  rating_via TEXT,
  flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  reopen_count INTEGER NOT NULL DEFAULT 0,
  reject_reason TEXT NOT NULL DEFAULT '',
  -- server time of the last change: what GET /api/v1/tickets?since= compares
  updated_at TEXT NOT NULL
) STRICT;
INSERT INTO "tickets" VALUES('00W0000011','2c70e12b7a0646f92279f427c7b38e7334d8e5389cff167a1dc30e73f826b683','00000000-0000-4000-8000-0000000000c1','kiosk-donghu','donghu-dqfwzx','donghu','hygiene','2026-11-18T02:00:00.000Z','2026-11-18T02:00:01.000Z','received','','2026-11-23T16:00:00.000Z','3wd','',0,NULL,NULL,NULL,NULL,NULL,0,0,'','2026-11-18T02:00:01.000Z');
CREATE TABLE users (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'handler', 'viewer')),
  display_name TEXT NOT NULL DEFAULT '',
  -- crypto_pwhash_str (argon2id); the password itself is never stored
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT
, community_id TEXT REFERENCES communities (id)) STRICT;
INSERT INTO "users" VALUES('wang','admin','王主任','$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA','2026-11-01T00:00:00.000Z',NULL,NULL);
CREATE INDEX submissions_by_site ON submissions (site_id, created_at);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_name);
CREATE INDEX submissions_by_form ON submissions (form_id, form_version, created_at, id);
CREATE UNIQUE INDEX devices_by_kiosk_number ON devices (kiosk_number);
CREATE INDEX tickets_by_device ON tickets (device_id, updated_at);
CREATE INDEX tickets_by_community ON tickets (community_id, status, created_at);
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX ticket_log_by_code ON ticket_log (code, id);
CREATE INDEX ticket_log_by_action ON ticket_log (action, id);
COMMIT;
PRAGMA user_version = 6;
PRAGMA application_id = 1299796854;
