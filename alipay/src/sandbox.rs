//! A local Alipay gateway to test against offline.
//!
//! [`Sandbox::start`] binds `127.0.0.1` on a free port and answers like `openapi.alipay.com`'s
//! `gateway.do`: it checks the app id, the method, the timestamp and the RSA2 signature in
//! Alipay's order, and answers with the same JSON envelopes, signed with its own "Alipay" key
//! ([`Sandbox::alipay_public_key`]). State (trades, tokens, images, messages, …) lives in memory,
//! or, for apps and trades, in a state file ([`SandboxBuilder::state_file`]).
//!
//! The same gateway runs standalone with `alipay sandbox serve` (feature `cli`), for clients in
//! any language.
//!
//! Requests are read from the query string and an `application/x-www-form-urlencoded` body, or
//! a `multipart/form-data` body (file uploads): its text parts are parameters like the others
//! (signed; a parameter may be both in the query and in a part only with the same value), its
//! file parts are never signed. [`Sandbox::requests`] records every request, files included.
//!
//! # Implemented methods
//!
//! Answers carry `code` and `msg` first, then the fields below; missing or malformed fields are
//! refused with `40002 isv.missing-parameter` / `isv.invalid-parameter`, business refusals with
//! `40004` and Alipay's `sub_code`.
//!
//! | method | what it does |
//! |---|---|
//! | `alipay.trade.create` | a new trade `WAIT_BUYER_PAY` (idempotent while unpaid); Huabei `extend_params` (`hb_fq_num` 3/6/12, `hb_fq_seller_percent` 0/100, else `ACQ.INVALID_PARAMETER`) and `extend_params.royalty_freeze` (`true`/`false`) kept on the trade |
//! | `alipay.trade.query` | the trade's status and amounts |
//! | `alipay.trade.refund` | a (partial) refund of a paid trade, idempotent on `out_request_no` |
//! | `alipay.trade.refund.apply` | the asynchronous refund: refunds at once (rules of `alipay.trade.refund`, `out_request_no` required), answers `refund_status=REFUND_PROCESSING` (`REFUND_SUCCESS` when repeated) and sends the refund notification to the call's `notify_url` (else the trade's) |
//! | `alipay.trade.fastpay.refund.query` | one refund |
//! | `alipay.trade.close` | closes an unpaid trade |
//! | `alipay.trade.cancel` | closes an unpaid trade or refunds a paid one in full |
//! | `alipay.data.dataservice.bill.downloadurl.query` | a URL of a bill served by the sandbox: a ZIP of GBK CSV files in the real shape (`trade`, `signcustomer`, `trade_zft_merchant`), from the trades and refunds of the day or month |
//! | `alipay.trade.pay` | face to face, `scene=bar_code`: an `auth_code` of 16 to 24 digits starting with 25 to 30 pays at once (and notifies); any other code is `ACQ.PAYMENT_AUTH_CODE_INVALID` |
//! | `alipay.trade.precreate` | a trade waiting for the buyer; `qr_code` is the URL of a sandbox cashier page |
//! | `alipay.trade.page.pay`, `alipay.trade.wap.pay` | browser flow, see below |
//! | `alipay.system.oauth.token` | `grant_type=authorization_code` with a code of [`Sandbox::issue_auth_code`] (single use, else `isv.code-invalid`), or `grant_type=refresh_token` (the old refresh token is invalidated; unknown: `isv.refresh-token-invalid`); like Alipay, success has no `code`/`msg` |
//! | `alipay.open.app.qrcode.create` | `qr_code_url` of a PNG served at `/qrcode/<id>.png` |
//! | `alipay.offline.material.image.upload` | multipart: `image_type` (jpg, jpeg, png, gif, bmp, mp4) must match the magic bytes of the file part `image_content` (else `40004 INVALID_IMAGE_TYPE`); stored ([`Sandbox::images`]) and served at `/images/<image_id>` |
//! | `alipay.open.public.message.content.create` / `.modify` | life account contents, served at `/life/content/<content_id>`; modifying an unknown one is `PUB.CONTENT_NOT_EXIST` |
//! | `alipay.open.public.message.total.send` | `text` (needs `text.content`) or `image-text` (`articles`, each with `desc` and `url`; the camelCase keys `imageUrl`/`actionName` are refused) → `message_id` |
//! | `alipay.open.public.message.single.send` | a template message (any template id) |
//! | `alipay.open.public.life.msg.recall` | a group message sent by the app, else `PUB.RCD_MSG_NOT_EXIST` |
//! | `alipay.open.public.template.message.industry.modify` | remembers the industry |
//! | `alipay.open.public.setting.category.query` | the industry names last set, or `IT科技` / `IT软件与服务` |
//! | `alipay.pass.template.add` / `.update` | pass templates (`tpl_content` must be a JSON object string); `success: true` and `result` `{"tpl_id","tpl_params"}` as a JSON string; unknown `tpl_id`: `KP.AE_ALIPASS_NOTEXIST` |
//! | `alipay.pass.instance.add` / `.update` | passes; `result` `{"serialNumber","passId"}` (the serial number is `tpl_params.serialNumber` when given) |
//! | `alipay.open.app.mini.templatemessage.send` | a mini program template message (any template id) |
//! | `alipay.user.certify.open.initialize` / `.query` | certifications: `certify_id`, then `passed` `T`/`F` with `identity_info` and `material_info` once passed; unknown ids are `CERTIFY_ID_EXPIRED` |
//! | `alipay.user.certify.open.certify` | browser flow, see below |
//! | `alipay.open.app.alipaycert.download` | certificate mode: `alipay_cert_content`, the base64 of the PEM of any Alipay certificate the sandbox issued, by `alipay_cert_sn` (else `40004 ALIPAY_CERT_NOT_EXIST`) |
//! | `alipay.trade.royalty.relation.bind` / `.unbind` | binds (unbinds) settlement receivers of type `userId` or `loginName` (with `name`); unbinding one not bound is ignored |
//! | `alipay.trade.royalty.relation.batchquery` | the bound receivers, by `page_num` / `page_size` (at most 100) |
//! | `alipay.trade.royalty.rate.query` | `user_id` (the seller id) and `max_ratio` 100: the sandbox lets all of a trade be settled |
//! | `alipay.trade.order.settle` | pays bound receivers (`trans_in_type` `userId` or `loginName`; else `ACQ.ROYALTY_RECEIVER_NOT_BIND`) from a paid trade created with `extend_params.royalty_freeze=true` (else `ACQ.TRADE_SETTLE_ERROR`; unpaid: `ACQ.TRADE_STATUS_ERROR`), at most what was paid minus refunds minus what was settled (else `ACQ.ALLOC_AMOUNT_VALIDATE_ERROR`); idempotent on `out_request_no`; `extend_params.royalty_finish=true` ends the trade's settlement |
//! | `alipay.trade.order.settle.query` | a settlement by `settle_no` (or `out_request_no` and `trade_no`): its details, all `SUCCESS` (unknown: `ACQ.SETTLE_NOT_EXIST`) |
//! | `alipay.trade.order.onsettle.query` | `unsettled_amount`: what can still be settled (`0.00` for a trade without `royalty_freeze`, unpaid, or finished) |
//! | `alipay.fund.trans.uni.transfer` | `product_code=TRANS_ACCOUNT_NO_PWD`, `biz_scene=DIRECT_TRANSFER`: pays `trans_amount` (at least 0.10, else `EXCEED_LIMIT_SM_MIN_AMOUNT`) from the app's balance ([`SandboxBuilder::fund_balance_cents`]; more than is left is `PAYER_BALANCE_NOT_ENOUGH`) to a payee of [`Sandbox::add_payee`] or the sandbox buyer, by `ALIPAY_USER_ID` or `ALIPAY_LOGON_ID` (which needs `payee_info.name`); an unknown payee is `PAYEE_NOT_EXIST`, a wrong name `PAYEE_USER_INFO_ERROR`. Idempotent on `out_biz_no` (the same transfer answers the first order; another amount or payee is `INVALID_PARAMETER`); `status` `SUCCESS` at once, and the `alipay.fund.trans.order.changed` message notification |
//! | `alipay.fund.trans.common.query` | a transfer by `order_id`, `pay_fund_order_id` or `out_biz_no` (`SUCCESS`, `REFUND` once refunded in full; unknown: `ORDER_NOT_EXIST`) |
//! | `alipay.fund.account.query` | the app's balance, for `alipay_user_id` = its seller id ([`Sandbox::seller_id`]; another id is `INVALID_PARAMETER`) |
//! | `alipay.fund.trans.refund` | returns part or all of a transfer to the balance, idempotent on `out_request_no`; more than was transferred is `REFUND_AMOUNT_EXCEED`; a full refund notifies `status=REFUND` |
//! | `alipay.data.bill.ereceipt.apply` / `.query` | `type=FUND_DETAIL` with a transfer's `order_id` → `file_id`; the query answers `SUCCESS` at once with a `download_url` served at `/ereceipt/<file_id>.txt` (a text receipt) |
//! | `alipay.security.risk.content.detect` | `REJECTED` with the `keywords` found when the content holds `违禁`, `赌博` or `forbidden` (case-insensitive), `PASSED` otherwise |
//! | `alipay.user.agreement.page.sign` | browser flow (page URL) or [`Sandbox::sign_agreement_in_app`] (app string): `personal_product_code` and `access_params.channel` required; signing makes the agreement `NORMAL` and sends `dut_user_sign`; an `external_agreement_no` already signed is `USER_AGREEMENT_EXIST` |
//! | `alipay.user.agreement.query` | one agreement by `agreement_no` or `external_agreement_no` (else `USER_AGREEMENT_NOT_EXIST`) |
//! | `alipay.user.agreement.unsign` | a `NORMAL` agreement becomes `UNSIGN` and `dut_user_unsign` is sent (else `USER_AGREEMENT_HAS_UNSIGNED`) |
//! | `alipay.user.agreement.executionplan.modify` | moves `next_deduct_time` of a `NORMAL` periodic agreement (`deduct_time` `yyyy-MM-dd`, else `isv.invalid-parameter`) |
//! | `alipay.trade.pay` with `agreement_params` | a debit paid at once (and notified), only against a `NORMAL` agreement of the app (`ACQ.AGREEMENT_NOT_EXIST`, `ACQ.AGREEMENT_STATUS_NOT_NORMAL`) within its `single_amount` (`ACQ.TOTAL_FEE_EXCEED`) |
//! | `alipay.open.auth.token.app` | `grant_type=authorization_code` with a code of [`Sandbox::issue_app_auth_code`] or of the `/oauth2/appToAppAuth.htm` page (single use, of the calling app, else `invalid auth_code`), or `grant_type=refresh_token` (the old token and refresh token stop working; unknown: `invalid refresh_token`) |
//! | `alipay.open.auth.token.app.query` | a token of the calling app: `user_id`, `auth_app_id`, `status` `valid` (else `20001 aop.invalid-app-auth-token`) |
//! | `alipay.fund.auth.order.freeze` | a valid payment code (as for `alipay.trade.pay`) freezes `amount` at once (`AUTHORIZED`); an `out_order_no` used before is `ORDER_ALREADY_EXIST` |
//! | `alipay.fund.auth.order.app.freeze` | the order string, with [`Sandbox::app_freeze`] (the payer confirms at once) |
//! | `alipay.fund.auth.order.voucher.create` | an `INIT` order; `code_value` is a URL the payer "scans" with [`Sandbox::confirm_freeze`] |
//! | `alipay.fund.auth.order.unfreeze` | gives back at most what is still frozen (else `UNFREEZE_AMOUNT_EXCEED`); nothing left frozen: `FINISH` |
//! | `alipay.fund.auth.operation.cancel` | a freeze with nothing paid: `close` (not frozen yet) or `unfreeze` (all given back); the order is `CLOSED` |
//! | `alipay.fund.auth.operation.detail.query` | the order's frozen, unfrozen, paid and rest amounts, and one operation (the freeze by default) |
//! | `alipay.trade.pay` with `auth_no` | `product_code=PREAUTH_PAY`: pays at most what is still frozen (else `ACQ.TOTAL_FEE_EXCEED`) from an `AUTHORIZED` order (else `ACQ.AUTH_NO_ERROR`), paid at once and notified; `auth_confirm_mode=COMPLETE` unfreezes the rest |
//! | `alipay.trade.orderinfo.sync` | a trade of the app by `trade_no` (else `ACQ.TRADE_NOT_EXIST`) |
//!
//! [`Sandbox::cancel_app_auth`] withdraws a merchant's authorisation and sends the
//! `alipay.open.auth.appauth.cancelled` message-service notification (`msg_method`, JSON
//! `biz_content`, `utc_timestamp`, `version=1.1`).
//!
//! Every call with an `app_auth_token` ([`Call::agent`](crate::Call::agent)) is refused with
//! `20001 aop.invalid-app-auth-token` unless the token was issued to the calling app and is
//! still current; an accepted call runs as the calling app (the sandbox does not switch to the
//! merchant's app).
//!
//! Any other method is `isv.invalid-method`.
//!
//! # OpenAPI v3
//!
//! The same host serves OpenAPI v3 under `/v3/...` (e.g. `POST /v3/alipay/trade/query`) for
//! every method above that has a v3 route (not the page, WAP and app payments, certify, passes
//! and content risk), over the same state: a trade created over v3 is queried over v2
//! and the other way round. Requests are checked like Alipay does (the `Authorization`
//! signature, the timestamp within `expired_seconds` or the timestamp tolerance, a nonce used
//! once), answers and errors (`{"code","message","links"}`) are signed over
//! `alipay-timestamp\nalipay-nonce\nbody\n`, and AES bodies (`alipay-encrypt-type: AES`) are
//! decrypted and answered encrypted. Uploads (`POST /v3/alipay/offline/material/image/upload`)
//! are `multipart/form-data`: the signature covers the part `data` (the JSON, or with AES its
//! ciphertext, which is decrypted once verified), the file parts are recorded in
//! [`ReceivedRequest::files`], and the answer is the v2 upload's. Faults apply to v3 calls too,
//! matched by the method the path names (`/v3/alipay/trade/query` is `alipay.trade.query`); see
//! [Fault injection](#fault-injection).
//!
//! # Buyers and browsers
//!
//! There is no buyer: a test makes the buyer pay with [`Sandbox::pay`] (or, from another
//! process, `POST /sandbox/pay?app_id=…&out_trade_no=…`). The sandbox then POSTs the signed
//! `trade_status_sync` notification to the trade's `notify_url`, as Alipay does (see
//! [Notifications](#notifications)).
//!
//! The browser flows are real HTTP pages, so a test can drive them with plain requests:
//!
//! * Page and WAP pay: submitting the SDK's form (or GETting the gateway with every parameter in
//!   the query) opens the trade and answers a cashier page (`text/html`) whose form POSTs to
//!   `/sandbox/cashier/<token>/pay`. That pays the trade, delivers the notification, and answers
//!   `302` to the `return_url` with Alipay's synchronous return parameters (`method`
//!   `alipay.trade.page.pay.return` or `alipay.trade.wap.pay.return`, signed like notifications),
//!   or a "paid" page when there is no `return_url`. `GET /sandbox/cashier/<token>` shows the
//!   cashier again.
//! * Agreement signing: GETting the page URL of `alipay.user.agreement.page.sign` answers a
//!   signing page whose form POSTs to `/sandbox/agreement/<token>/sign`. That signs the
//!   agreement, delivers `dut_user_sign` to the request's `notify_url`, and answers `302` to its
//!   `return_url` (or a "signed" page). [`Sandbox::sign_agreement_in_cashier`] plays it.
//! * Certify: GETting the gateway with `alipay.user.certify.open.certify` answers a page whose
//!   forms POST to `/sandbox/certify/<certify_id>?passed=T` (or `F`), which completes the
//!   certification and redirects to `merchant_config.return_url` (or shows a done page).
//! * Errors in these flows are HTML pages (HTTP 200, like Alipay's) showing the `sub_code`,
//!   e.g. `isv.invalid-signature`.
//!
//! [`Sandbox::pay_in_cashier`] plays the buyer's browser through the whole page pay visit (the
//! SDK's page form or a pay URL, then the cashier's pay form), and [`browse`] sends one request
//! as a browser does (e.g. to follow the redirect to the `return_url`).
//!
//! The Alipay app's part of `alipay.trade.app.pay` is [`Sandbox::app_pay`], which takes the
//! order string; identity certification can also be completed with
//! [`Sandbox::complete_certification`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alipay::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await?;
//! let app = sandbox.create_app()?;
//! let client = sandbox.client_builder(&app).build()?;
//! // Create a trade with `client.send(...)`, then:
//! // let paid = sandbox.pay(&app.app_id, "T001").await?;
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Notifications
//!
//! A trade with a `notify_url` is notified (`trade_status_sync`, form-encoded, signed with the
//! Alipay key over every parameter but `sign` and `sign_type`) when:
//!
//! * the buyer pays: `trade_status=TRADE_SUCCESS`, `gmt_payment`;
//! * a refund is made (`alipay.trade.refund`, `alipay.trade.refund.apply`, or
//!   `alipay.trade.cancel` of a paid trade):
//!   `refund_fee` (the total refunded so far), `gmt_refund` (`yyyy-MM-dd HH:mm:ss.SSS`) and
//!   `out_biz_no` (the refund request number); `trade_status` becomes `TRADE_CLOSED`, with
//!   `gmt_close`, once the trade is refunded in full. A repeated refund request is not notified;
//! * an unpaid trade is closed (`alipay.trade.close`, `alipay.trade.cancel`):
//!   `trade_status=TRADE_CLOSED`, `gmt_close`.
//!
//! A debit agreement is notified (`dut_user_sign` once signed, `dut_user_unsign` once cancelled,
//! with `agreement_no`, `status`, `external_agreement_no`, `personal_product_code`, `sign_time`,
//! …) to the `notify_url` of its signing request; the first attempt of `dut_user_sign` is made
//! before the signing returns.
//!
//! A transfer (`alipay.fund.trans.uni.transfer`, and a refund of all of it) sends the
//! `alipay.fund.trans.order.changed` message notification (消息服务) to the request's
//! `notify_url`: `utc_timestamp` (milliseconds), `app_id`, `version=1.1`, `sign_type`,
//! `notify_id`, `msg_method`, `biz_content` (the JSON of the transfer: `order_id`,
//! `out_biz_no`, `status`, `trans_amount`, …) and `charset`, signed like the trade
//! notifications ([`NotificationKind::Transfer`]).
//!
//! Each notification is delivered by a background task, and retried until the merchant answers
//! HTTP 200 with the body `success`, on Alipay's schedule: 4m, 10m, 10m, 1h, 2h, 6h and 15h
//! between the eight attempts, multiplied by [`SandboxBuilder::notify_time_scale`] (so
//! `0.000_01` runs it in about a second). Every attempt keeps the `notify_id` and carries a
//! fresh `notify_time` and signature. [`Sandbox::notifications`] (or
//! `GET /sandbox/notifications`, JSON) lists every attempt with its outcome. Stopping the
//! sandbox drops the pending retries.
//!
//! The first attempt of a payment notification is made *before* the payment returns (from
//! [`Sandbox::pay`], `POST /sandbox/pay`, the cashier, or `alipay.trade.pay` before its
//! answer), so a test sees it as soon as the call returns; refunds and closes are notified just
//! after their answer.
//!
//! # Fault injection
//!
//! [`Sandbox::inject`] (or [`Sandbox::inject_rule`] for a fault that applies a number of times,
//! [`Sandbox::clear_faults`] to stop) spoils answers of `/gateway.do` and of the v3 paths, for
//! every method or for one: added latency, an HTTP 5xx with an HTML page, a connection dropped
//! mid-body, truncated JSON, a wrong signature, an unsigned answer, a duplicated node (over v3:
//! a duplicated key), an oversize body, a business failure encoded in GBK; see [`Fault`] for
//! what each does over either protocol. From another process, `POST /sandbox/faults` takes
//! `{"fault":"reset","method":"alipay.trade.query","times":1}` (`method` and `times`
//! optional; an array of them is accepted too), `GET` lists the rules, `DELETE` removes them.
//!
//! # State file
//!
//! With [`SandboxBuilder::state_file`], the registered apps, the trades and the generated
//! Alipay key are loaded at start and saved after every change, atomically (a temporary file in
//! the same directory, synced, renamed over the old one) and before the change is answered: a
//! crash loses nothing a client saw acknowledged.
//!
//! # Control endpoints
//!
//! Outside `/gateway.do`, for tools in other processes: `POST /sandbox/pay?app_id=…&out_trade_no=…`
//! (the buyer pays), `GET /sandbox/notifications` and `/sandbox/faults` (above).
//!
//! # Certificate mode and content encryption
//!
//! [`Sandbox::create_cert_app`] registers an app in certificate mode (公钥证书模式): the sandbox
//! is its own certificate authority (issued with `rcgen`), requires the app's `app_cert_sn`
//! and the root bundle's `alipay_root_cert_sn` on its requests (`isv.invalid-app-cert-sn`,
//! `isv.invalid-alipay-root-cert-sn`, or `isv.missing-…` when absent; signed in the method's
//! node), and signs for it with the current Alipay certificate, named in `alipay_cert_sn`.
//! [`Sandbox::rotate_alipay_certificate`] issues a new Alipay certificate (new key, same root)
//! and signs with it from then on; [`Sandbox::rotate_alipay_certificate_forged`] does the same
//! with a certificate of another root of the same name, for tests of the client's refusal.
//! [`SandboxBuilder::cert_mode`] issues the root and Alipay certificate at start.
//!
//! An app with an AES key ([`Sandbox::set_app_aes_key`], [`Sandbox::create_app_aes_key`]; cert
//! apps get one) may send `encrypt_type=AES`: `biz_content` is decrypted after the signature is
//! checked (`isv.missing-encrypt-key`, `isv.decryption-error`, `isv.invalid-encrypt-type`
//! otherwise), [`Sandbox::requests`] records the ciphertext in `params` and the decrypted JSON
//! in `biz_content`, and the answer's node is the encrypted JSON, signed over the quoted
//! ciphertext.
//!
//! # Differences from Alipay
//!
//! * Only RSA2 (no SM2 certificates, no SM4 content encryption). Certificates are issued
//!   directly by the sandbox's root (Alipay has an intermediate CA); apps created with
//!   [`Sandbox::create_app`] stay in public key mode and are always signed for with the fixed
//!   key of [`Sandbox::alipay_public_key`].
//! * Notifications of payments are attempted before the paying call returns (see
//!   [Notifications](#notifications)); Alipay sends them shortly after.
//! * Amounts in answers are written with two decimals. Without a state file, state is lost when
//!   the sandbox stops; with one, only apps and trades are kept (not tokens, app auth tokens,
//!   debit agreements, authorisation orders, images, messages, certifications, certificates,
//!   cashier and signing sessions, notification records or faults).
//! * Every agreement is signed, and every freeze confirmed, by the sandbox buyer; agreement
//!   and freeze notifications other than `dut_user_sign` / `dut_user_unsign` are not sent.
//! * Failures of `alipay.system.oauth.token` are in the method's node (signed), where Alipay
//!   may answer an `error_response`.
//! * Every trade is paid by one sandbox buyer (`2088102177846880`, `tes***@sandbox.com`) unless
//!   the trade names a `buyer_id`. Tokens, images and QR codes never expire; QR code images are
//!   a 1×1 PNG; business rules beyond those listed (quotas, content review, template ids) are
//!   not checked.
//! * Settlements are paid at once (`SUCCESS`); the sandbox does not send
//!   `alipay.trade.order.settle.notify`, and refunds do not check what was already settled.
//!   Settlement receivers and settlements are not kept in the state file. An asynchronous
//!   refund (`alipay.trade.refund.apply`) is made at once, its notification sent just after the
//!   answer.
//! * Message notifications go to the request's `notify_url`; Alipay sends them to the address
//!   configured for the app (应用网关). Balances, transfers and e-receipts are not kept in the
//!   state file; payments an app receives do not add to its balance; e-receipts are ready at
//!   once and are text, not PDF.
//! * Files are limited only by the 4 MiB body limit (larger bodies are refused with HTTP 413).
//! * The cashier, certify and control endpoints (`/sandbox/…`) do not exist at Alipay; the
//!   app-to-app authorisation page (`/oauth2/appToAppAuth.htm`, on the gateway's host rather
//!   than `openauth.alipay.com`) authorises at once, for a new merchant each time.
//!
//! # How the module is arranged
//!
//! The sandbox uses only the SDK's public API; where it must be an independent oracle (reading
//! the wire format, escaping its pages) it has its own code.
//!
//! | file | what it holds |
//! |---|---|
//! | `handle.rs` | [`Sandbox`]: the handle and what a test does with it |
//! | `builder.rs` | [`SandboxBuilder`] and `start` |
//! | `records.rs` | the public record types ([`TradeSnapshot`], [`NotificationRecord`], …) |
//! | `error.rs` | [`SandboxError`] |
//! | `browser.rs` | [`browse`], [`Sandbox::pay_in_cashier`] |
//! | `shared.rs` | the state shared with the connection and delivery tasks, the id counters |
//! | `server.rs` | the accept loop (hyper-util graceful shutdown), the routes, bodies |
//! | `gateway.rs` | `/gateway.do`: decode → check → run → reply, and the request records |
//! | `v3.rs` | `/v3/...`: the v3 checks, uploads, signed answers |
//! | `decode.rs`, `multipart.rs` | query, form and multipart decoding |
//! | `check.rs` | the checks in Alipay's order (and of an app pay order string) |
//! | `reply.rs`, `wire.rs` | answers: envelopes and nodes written with serde_json, failures |
//! | `fault.rs`, `spoil.rs`, `spoil_v3.rs` | [`Fault`] rules, and what a fault does to a v2 or a v3 answer |
//! | `control.rs` | the `/sandbox/…` control endpoints |
//! | `api.rs` | the methods implemented and the dispatch to the domain modules |
//! | `trade.rs`, `trade/store.rs` | trade methods and bills; the trades in memory |
//! | `fund.rs` | payouts: balances, transfers, their refunds and e-receipts |
//! | `settle.rs` | settlement: bound receivers and the settlements of trades |
//! | `open.rs`, `marketing.rs`, `member.rs`, `certs.rs` | the other domains (OAuth, uploads, QR codes; life account, passes; certification; certificate mode and AES) |
//! | `pages.rs`, `html.rs` | the cashier and certify pages; HTML escaping and form reading |
//! | `agreement.rs` | recurring debit: agreements, the signing page, debits |
//! | `isv.rs` | ISV authorisation: app auth codes and tokens, the `app_auth_token` check |
//! | `preauth.rs` | pre-authorisation: authorisation orders, paying from a freeze |
//! | `notify.rs` | notifications and their retries |
//! | `state.rs` | the state file |
//! | `clock.rs`, `random.rs` | Beijing time and dates; random ids |

mod agreement;
mod api;
mod browser;
mod builder;
mod certs;
mod check;
mod clock;
mod control;
mod decode;
mod error;
mod fault;
mod fund;
mod gateway;
mod handle;
mod html;
mod isv;
mod marketing;
mod member;
mod multipart;
mod notify;
mod open;
mod pages;
mod preauth;
mod random;
mod records;
mod reply;
mod server;
mod settle;
mod shared;
mod spoil;
mod spoil_v3;
mod state;
mod trade;
mod v3;
mod wire;

pub use self::browser::{BrowserAnswer, CashierVisit, browse};
pub use self::builder::SandboxBuilder;
pub use self::certs::{AppCertificates, SandboxCertApp};
pub use self::error::SandboxError;
pub use self::fault::{DEFAULT_OVERSIZE, Fault, FaultRule, MAX_OVERSIZE, ParseFaultError, Scope};
pub use self::handle::Sandbox;
pub use self::records::{
    CertificationSnapshot, NotificationKind, NotificationRecord, ReceivedFile, ReceivedRequest,
    RefundSnapshot, SandboxApp, SentMessage, StoredImage, TradeSnapshot,
};

use self::shared::{App, Shared, deliver, lock, pay};

#[cfg(test)]
mod tests;
