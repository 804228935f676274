/**A builder for [`ImageUpload`], returned by [`ImageUpload::builder`].

Set the required fields (`image_type`, `name`, `content`) and any optional ones, then call [`build`](ImageUploadBuilder::build). Leaving a required field unset, or setting a field twice, is a compile error that names the field.*/
#[must_use = "a builder does nothing until `.build()` is called"]
pub(crate) struct ImageUploadBuilder<
    'a,
    T,
    K = String,
    __ImageType = (),
    __Name = (),
    __Content = (),
>
where
    T: Clone,
{
    __image_type: __ImageType,
    __tag: Option<T>,
    __name: __Name,
    __content: __Content,
    __preview: Option<FilePart>,
    __alipay_marker: ::core::marker::PhantomData<fn() -> ImageUpload<'a, T, K>>,
}
const _: () = {
    #[allow(dead_code, clippy::redundant_static_lifetimes)]
    impl<'a, T, K> ImageUpload<'a, T, K>
    where
        T: Clone,
    {
        ///The Alipay method name: `alipay.offline.material.image.upload`.
        pub(crate) const METHOD: &'static str = "alipay.offline.material.image.upload";
    }
    ///Implemented by the builder state of a set `image_type`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `image_type` of `ImageUpload`",
        label = "`image_type` was never set on this builder",
        note = "call `.image_type(...)` before `.build()`",
    )]
    trait __NeedsImageType<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsImageType<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `image_type`.
    #[diagnostic::on_unimplemented(
        message = "`image_type` of `ImageUpload` is set twice",
        label = "`image_type` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetImageType {}
    impl __UnsetImageType for () {}
    ///Implemented by the builder state of a set `name`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `name` of `ImageUpload`",
        label = "`name` was never set on this builder",
        note = "call `.name(...)` before `.build()`",
    )]
    trait __NeedsName<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsName<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `name`.
    #[diagnostic::on_unimplemented(
        message = "`name` of `ImageUpload` is set twice",
        label = "`name` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetName {}
    impl __UnsetName for () {}
    ///Implemented by the builder state of a set `content`.
    #[diagnostic::on_unimplemented(
        message = "missing required field `content` of `ImageUpload`",
        label = "`content` was never set on this builder",
        note = "call `.content(...)` before `.build()`",
    )]
    trait __NeedsContent<__V> {
        /// The value that was set.
        fn __value(self) -> __V;
    }
    impl<__V> __NeedsContent<__V> for (__V,) {
        #[inline]
        fn __value(self) -> __V {
            self.0
        }
    }
    ///Implemented by the builder state of an unset `content`.
    #[diagnostic::on_unimplemented(
        message = "`content` of `ImageUpload` is set twice",
        label = "`content` was already set on this builder",
        note = "each required field is set exactly once"
    )]
    trait __UnsetContent {}
    impl __UnsetContent for () {}
    #[allow(dead_code)]
    impl<'a, T, K> ImageUpload<'a, T, K>
    where
        T: Clone,
    {
        ///Starts a [`ImageUploadBuilder`] for this request. Set the required fields (`image_type`, `name`, `content`), then call [`build`](ImageUploadBuilder::build).
        pub(crate) fn builder() -> ImageUploadBuilder<'a, T, K, (), (), ()> {
            ImageUploadBuilder {
                __image_type: (),
                __tag: ::core::option::Option::None,
                __name: (),
                __content: (),
                __preview: ::core::option::Option::None,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
    }
    #[allow(dead_code, private_bounds)]
    impl<
        'a,
        T,
        K,
        __ImageType,
        __Name,
        __Content,
    > ImageUploadBuilder<'a, T, K, __ImageType, __Name, __Content>
    where
        T: Clone,
    {
        ///Sets `image_type` (required).
        ///
        pub(crate) fn image_type(
            self,
            value: impl ::core::convert::Into<&'a str>,
        ) -> ImageUploadBuilder<'a, T, K, (&'a str,), __Name, __Content>
        where
            __ImageType: __UnsetImageType,
        {
            ImageUploadBuilder {
                __image_type: (::core::convert::Into::into(value),),
                __tag: self.__tag,
                __name: self.__name,
                __content: self.__content,
                __preview: self.__preview,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `name` (required).
        ///
        pub(crate) fn name(
            self,
            value: K,
        ) -> ImageUploadBuilder<'a, T, K, __ImageType, (K,), __Content>
        where
            __Name: __UnsetName,
        {
            ImageUploadBuilder {
                __image_type: self.__image_type,
                __tag: self.__tag,
                __name: (value,),
                __content: self.__content,
                __preview: self.__preview,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `content` (required).
        ///
        pub(crate) fn content(
            self,
            value: impl ::core::convert::Into<FilePart>,
        ) -> ImageUploadBuilder<'a, T, K, __ImageType, __Name, (FilePart,)>
        where
            __Content: __UnsetContent,
        {
            ImageUploadBuilder {
                __image_type: self.__image_type,
                __tag: self.__tag,
                __name: self.__name,
                __content: (::core::convert::Into::into(value),),
                __preview: self.__preview,
                __alipay_marker: ::core::marker::PhantomData,
            }
        }
        ///Sets `tag` (optional).
        ///
        pub(crate) fn tag(mut self, value: T) -> Self {
            self.__tag = ::core::option::Option::Some(value);
            self
        }
        ///Sets `tag` when `value` is `Some`, or leaves it out when it is `None` (see [`tag`](Self::tag)).
        pub(crate) fn maybe_tag(mut self, value: ::core::option::Option<T>) -> Self {
            self.__tag = value;
            self
        }
        ///Sets `preview` (optional).
        ///
        pub(crate) fn preview(
            mut self,
            value: impl ::core::convert::Into<FilePart>,
        ) -> Self {
            self.__preview = ::core::option::Option::Some(
                ::core::convert::Into::into(value),
            );
            self
        }
        ///Sets `preview` when `value` is `Some`, or leaves it out when it is `None` (see [`preview`](Self::preview)).
        pub(crate) fn maybe_preview(
            mut self,
            value: ::core::option::Option<FilePart>,
        ) -> Self {
            self.__preview = value;
            self
        }
        ///Builds the [`ImageUpload`]. Compiles only once every required field is set (`image_type`, `name`, `content`).
        pub(crate) fn build(self) -> ImageUpload<'a, T, K>
        where
            __ImageType: __NeedsImageType<&'a str>,
            __Name: __NeedsName<K>,
            __Content: __NeedsContent<FilePart>,
        {
            ImageUpload {
                image_type: __NeedsImageType::__value(self.__image_type),
                tag: self.__tag,
                name: __NeedsName::__value(self.__name),
                content: __NeedsContent::__value(self.__content),
                preview: self.__preview,
            }
        }
    }
    #[derive(::my_sdk::alipay::__private::serde::Serialize)]
    #[serde(
        crate = ":: my_sdk :: alipay :: __private :: serde",
        bound = "& 'a str : :: my_sdk :: alipay :: __private :: serde :: Serialize, Option < T > : :: my_sdk :: alipay :: __private :: serde :: Serialize"
    )]
    #[allow(dead_code)]
    struct __AlipayBiz<'__alipay, 'a, T, K>
    where
        T: Clone,
    {
        image_type: &'__alipay &'a str,
        #[serde(skip_serializing_if = "::core::option::Option::is_none")]
        tag: &'__alipay Option<T>,
        #[serde(skip)]
        __alipay_marker: ::core::marker::PhantomData<&'__alipay ImageUpload<'a, T, K>>,
    }
    #[automatically_derived]
    impl<'a, T, K> ::my_sdk::alipay::request::Method for ImageUpload<'a, T, K>
    where
        T: Clone,
        &'a str: ::my_sdk::alipay::__private::serde::Serialize,
        Option<T>: ::my_sdk::alipay::__private::serde::Serialize,
        K: ::my_sdk::alipay::request::TextParam,
    {
        fn method(&self) -> &str {
            "alipay.offline.material.image.upload"
        }
        fn encode(
            &self,
            __params: &mut ::my_sdk::alipay::request::Params,
        ) -> ::core::result::Result<(), ::my_sdk::alipay::EncodeError> {
            {
                use ::my_sdk::alipay::__private::{BizNotSerialize as _, WriteBiz as _};
                (&::my_sdk::alipay::__private::BizRef(
                    &__AlipayBiz {
                        image_type: &self.image_type,
                        tag: &self.tag,
                        __alipay_marker: ::core::marker::PhantomData::<&Self>,
                    },
                ))
                    .write_biz(__params)?;
            }
            __params.text_opt("image_name", &self.name);
            __params
                .file(
                    "image_content",
                    <::my_sdk::alipay::request::FilePart as ::core::clone::Clone>::clone(
                        &self.content,
                    ),
                );
            if let ::core::option::Option::Some(__part) = &self.preview {
                __params
                    .file(
                        "preview",
                        <::my_sdk::alipay::request::FilePart as ::core::clone::Clone>::clone(
                            __part,
                        ),
                    );
            }
            ::core::result::Result::Ok(())
        }
    }
    #[automatically_derived]
    impl<'a, T, K> ::my_sdk::alipay::request::Request for ImageUpload<'a, T, K>
    where
        T: Clone,
        &'a str: ::my_sdk::alipay::__private::serde::Serialize,
        Option<T>: ::my_sdk::alipay::__private::serde::Serialize,
        K: ::my_sdk::alipay::request::TextParam,
        Uploaded<T>: ::my_sdk::alipay::__private::serde::de::DeserializeOwned,
    {
        type Response = Uploaded<T>;
        fn response_key(&self) -> ::std::borrow::Cow<'_, str> {
            ::std::borrow::Cow::Borrowed("alipay_offline_material_image_upload_response")
        }
    }
};
