/**A builder for [`UniTransfer`], returned by [`UniTransfer::builder`].

Set the required fields (`out_biz_no`, `trans_amount`, `title`) and any optional ones, then call [`build`](UniTransferBuilder::build). Leaving a required field unset, or setting a field twice, is a compile error that names the field.*/
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct UniTransferBuilder<__OutBizNo = (), __TransAmount = (), __Title = ()> {
    __out_biz_no: __OutBizNo,
    __trans_amount: __TransAmount,
    __title: __Title,
    __remark: Option<String>,
    __attempts: ::core::option::Option<u32>,
    __app_auth_token: Option<String>,
    __alipay_marker: ::core::marker::PhantomData<fn() -> UniTransfer>,
}
const _: () = {
    #[allow(dead_code, clippy::redundant_static_lifetimes)]
    impl UniTransfer {
        ///The Alipay method name: `alipay.fund.trans.uni.transfer`.
        pub const METHOD: &'static str = "alipay.fund.trans.uni.transfer";
    }
    ///Implemented by the builder state of a set `out_biz_no`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `out_biz_no` of `UniTransfer`",
        label = "`out_biz_no` was never set on this builder",
        note = "call `.out_biz_no(...)` before `.build()`",
    )]
    trait __NeedsOutBizNo<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsOutBizNo<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `out_biz_no`.
    #[diagnostic::on_unimplemented(
        message = "`out_biz_no` of `UniTransfer` is set twice",
        label = "`out_biz_no` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetOutBizNo {}
    impl __UnsetOutBizNo for () {}
    ///Implemented by the builder state of a set `trans_amount`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `trans_amount` of `UniTransfer`",
        label = "`trans_amount` was never set on this builder",
        note = "call `.trans_amount(...)` before `.build()`",
    )]
    trait __NeedsTransAmount<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsTransAmount<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `trans_amount`.
    #[diagnostic::on_unimplemented(
        message = "`trans_amount` of `UniTransfer` is set twice",
        label = "`trans_amount` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetTransAmount {}
    impl __UnsetTransAmount for () {}
    ///Implemented by the builder state of a set `title`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `title` of `UniTransfer`",
        label = "`title` was never set on this builder",
        note = "call `.title(...)` before `.build()`",
    )]
    trait __NeedsTitle<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsTitle<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `title`.
    #[diagnostic::on_unimplemented(
        message = "`title` of `UniTransfer` is set twice",
        label = "`title` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetTitle {}
    impl __UnsetTitle for () {}
    #[allow(dead_code)]
    impl UniTransfer {
        ///Starts a [`UniTransferBuilder`] for this request. Set the required fields (`out_biz_no`, `trans_amount`, `title`), then call [`build`](UniTransferBuilder::build).
        pub fn builder() -> UniTransferBuilder<(), (), ()> {
            UniTransferBuilder {
                __out_biz_no: (),
                __trans_amount: (),
                __title: (),
                __remark: ::core::option::Option::None,
                __attempts: ::core::option::Option::None,
                __app_auth_token: ::core::option::Option::None,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
    }
    #[allow(dead_code, private_bounds)]
    impl<
        __OutBizNo,
        __TransAmount,
        __Title,
    > UniTransferBuilder<__OutBizNo, __TransAmount, __Title> {
        ///Sets `out_biz_no` (required).
        ///
        /// The merchant's unique transfer number.
        pub fn out_biz_no(
            self,
            value: impl ::core::convert::Into<String>,
        ) -> UniTransferBuilder<(String,), __TransAmount, __Title>
        where
            __OutBizNo: __UnsetOutBizNo,
        {
            UniTransferBuilder {
                __out_biz_no: (::core::convert::Into::into(value),),
                __trans_amount: self.__trans_amount,
                __title: self.__title,
                __remark: self.__remark,
                __attempts: self.__attempts,
                __app_auth_token: self.__app_auth_token,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `trans_amount` (required).
        ///
        /// The amount, in yuan.
        pub fn trans_amount(
            self,
            value: impl ::core::convert::Into<Amount>,
        ) -> UniTransferBuilder<__OutBizNo, (Amount,), __Title>
        where
            __TransAmount: __UnsetTransAmount,
        {
            UniTransferBuilder {
                __out_biz_no: self.__out_biz_no,
                __trans_amount: (::core::convert::Into::into(value),),
                __title: self.__title,
                __remark: self.__remark,
                __attempts: self.__attempts,
                __app_auth_token: self.__app_auth_token,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `title` (required).
        ///
        /// The transfer title shown to the payee.
        pub fn title(
            self,
            value: impl ::core::convert::Into<String>,
        ) -> UniTransferBuilder<__OutBizNo, __TransAmount, (String,)>
        where
            __Title: __UnsetTitle,
        {
            UniTransferBuilder {
                __out_biz_no: self.__out_biz_no,
                __trans_amount: self.__trans_amount,
                __title: (::core::convert::Into::into(value),),
                __remark: self.__remark,
                __attempts: self.__attempts,
                __app_auth_token: self.__app_auth_token,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `remark` (optional).
        ///
        /// A remark shown to the payee.
        pub fn remark(mut self, value: impl ::core::convert::Into<String>) -> Self {
            self.__remark = ::core::option::Option::Some(
                ::core::convert::Into::into(value),
            );
            self
        }
        ///Sets `remark` when `value` is `Some`, or leaves it out when it is `None` (see [`remark`](Self::remark)).
        pub fn maybe_remark(mut self, value: ::core::option::Option<String>) -> Self {
            self.__remark = value;
            self
        }
        ///Sets `attempts` (optional: `Default::default()` when not set).
        ///
        /// How many times to try.
        pub fn attempts(mut self, value: impl ::core::convert::Into<u32>) -> Self {
            self.__attempts = ::core::option::Option::Some(
                ::core::convert::Into::into(value),
            );
            self
        }
        ///Sets `app_auth_token` (optional).
        ///
        /// The token of a merchant authorized to this app (ISV mode).
        pub fn app_auth_token(
            mut self,
            value: impl ::core::convert::Into<String>,
        ) -> Self {
            self.__app_auth_token = ::core::option::Option::Some(
                ::core::convert::Into::into(value),
            );
            self
        }
        ///Sets `app_auth_token` when `value` is `Some`, or leaves it out when it is `None` (see [`app_auth_token`](Self::app_auth_token)).
        pub fn maybe_app_auth_token(
            mut self,
            value: ::core::option::Option<String>,
        ) -> Self {
            self.__app_auth_token = value;
            self
        }
        ///Builds the [`UniTransfer`]. Compiles only once every required field is set (`out_biz_no`, `trans_amount`, `title`).
        pub fn build(self) -> UniTransfer
        where
            __OutBizNo: __NeedsOutBizNo<String>,
            __TransAmount: __NeedsTransAmount<Amount>,
            __Title: __NeedsTitle<String>,
        {
            UniTransfer {
                out_biz_no: __NeedsOutBizNo::__value(self.__out_biz_no),
                trans_amount: __NeedsTransAmount::__value(self.__trans_amount),
                title: __NeedsTitle::__value(self.__title),
                remark: self.__remark,
                attempts: ::core::option::Option::unwrap_or_default(self.__attempts),
                app_auth_token: self.__app_auth_token,
            }
        }
    }
    #[derive(::alipay::__private::serde::Serialize)]
    #[serde(
        crate = ":: alipay :: __private :: serde",
        bound = "for < '__w > String : :: alipay :: __private :: serde :: Serialize, for < '__w > Amount : :: alipay :: __private :: serde :: Serialize, for < '__w > Option < String > : :: alipay :: __private :: serde :: Serialize, for < '__w > u32 : :: alipay :: __private :: serde :: Serialize"
    )]
    #[allow(dead_code)]
    struct __AlipayBiz<'__alipay> {
        out_biz_no: &'__alipay String,
        trans_amount: &'__alipay Amount,
        #[serde(rename = "order_title")]
        title: &'__alipay String,
        #[serde(skip_serializing_if = "::core::option::Option::is_none")]
        remark: &'__alipay Option<String>,
        attempts: &'__alipay u32,
        #[serde(skip)]
        __alipay_marker: ::core::marker::PhantomData<&'__alipay UniTransfer>,
    }
    /// The concrete `biz_content` field types, each checked on its own span.
    #[allow(dead_code)]
    fn __alipay_assert_fields() {
        ::alipay::__private::assert_serialize::<String>();
        ::alipay::__private::assert_serialize::<Amount>();
        ::alipay::__private::assert_serialize::<String>();
        ::alipay::__private::assert_serialize::<Option<String>>();
        ::alipay::__private::assert_serialize::<u32>();
    }
    #[automatically_derived]
    impl ::alipay::request::Method for UniTransfer {
        fn method(&self) -> &str {
            "alipay.fund.trans.uni.transfer"
        }
        fn encode(
            &self,
            __params: &mut ::alipay::request::Params,
        ) -> ::core::result::Result<(), ::alipay::EncodeError> {
            {
                use ::alipay::__private::{BizNotSerialize as _, WriteBiz as _};
                (&::alipay::__private::BizRef(
                    &__AlipayBiz {
                        out_biz_no: &self.out_biz_no,
                        trans_amount: &self.trans_amount,
                        title: &self.title,
                        remark: &self.remark,
                        attempts: &self.attempts,
                        __alipay_marker: ::core::marker::PhantomData::<&Self>,
                    },
                ))
                    .write_biz(__params)?;
            }
            __params.biz_value("product_code", "TRANS_ACCOUNT_NO_PWD");
            __params.biz_value("need_confirm", false);
            __params.text("channel", "app");
            __params.text_opt("app_auth_token", &self.app_auth_token);
            ::core::result::Result::Ok(())
        }
        fn v3(&self) -> ::core::option::Option<::alipay::v3::Route> {
            ::core::option::Option::Some(
                ::alipay::v3::Route::new(
                    ::alipay::v3::Verb::Post,
                    "/v3/alipay/fund/trans/uni/transfer",
                ),
            )
        }
    }
    #[automatically_derived]
    impl ::alipay::request::Request for UniTransfer {
        type Response = TransferResponse;
        fn response_key(&self) -> ::std::borrow::Cow<'_, str> {
            ::std::borrow::Cow::Borrowed("alipay_fund_trans_uni_transfer_response")
        }
    }
};
