// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! IoT Hub's error codes: [`ErrorCode`], with the six-digit numbers where documented.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// Writes [`ErrorCode`] and its tables from one list of `number Name` pairs.
macro_rules! error_codes {
    ($($number:literal $name:ident,)*) => {
        /// An IoT Hub error code: the textual name the service sends (the `iothub-errorcode`
        /// header, the `ErrorCode:` prefix of a message), with its six-digit number (the
        /// `errorCode` field), whose first three digits are the HTTP status.
        ///
        /// The list is the one Microsoft publishes in "Troubleshoot Azure IoT Hub error codes"
        /// (learn.microsoft.com/azure/iot-hub/troubleshoot-error-codes, source
        /// `articles/iot-hub/troubleshoot-error-codes.md` in `MicrosoftDocs/azure-docs`), plus
        /// two codes only the C# service SDK's `ErrorCode.cs` names (`PartitionNotFound`
        /// 404003, `JobCancelled` 500002). `DeviceNotOnline` is 404103, as the page's section
        /// on it and the C# SDK say (the page's table says 404102). The page lists
        /// `ServiceUnavailable` and `InternalServerError` also without a number; only the
        /// former is a variant (503001).
        ///
        /// Open: a code not listed is kept as received in [`ErrorCode::Other`], so a new code
        /// the service starts sending is not lost, and matches need a wildcard arm.
        ///
        /// ```
        /// use iothub_jobs::iothub::ErrorCode;
        ///
        /// assert_eq!(ErrorCode::from_numeric(404002), Some(ErrorCode::JobNotFound));
        /// assert_eq!(ErrorCode::JobNotFound.numeric(), Some(404002));
        /// assert_eq!(ErrorCode::JobNotFound.as_str(), "JobNotFound");
        /// assert_eq!(ErrorCode::from("JobNotFound"), ErrorCode::JobNotFound);
        /// assert_eq!(ErrorCode::from("NewCode"), ErrorCode::Other("NewCode".to_owned()));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", stringify!($name), "`, ", stringify!($number), ".")]
                $name,
            )*
            /// A code this list does not have, as received.
            Other(String),
        }

        /// Every listed code: its number and name, in the order of the numbers.
        const ALL: &[(i64, &str)] = &[$(($number, stringify!($name)),)*];

        impl ErrorCode {
            /// The textual name, as the service sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$name => stringify!($name),)*
                    Self::Other(name) => name,
                }
            }

            /// The six-digit number, for a listed code.
            pub fn numeric(&self) -> Option<i64> {
                match self {
                    $(Self::$name => Some($number),)*
                    Self::Other(_) => None,
                }
            }

            /// The code of a six-digit number, when it is a listed one.
            pub fn from_numeric(number: i64) -> Option<Self> {
                match number {
                    $($number => Some(Self::$name),)*
                    _ => None,
                }
            }

            fn listed(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(Self::$name),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    400000 GenericBadRequest,
    400001 InvalidProtocolVersion,
    400002 DeviceInvalidResultCount,
    400003 InvalidOperation,
    400004 ArgumentInvalid,
    400005 ArgumentNull,
    400006 IotHubFormatError,
    400007 DeviceStorageEntitySerializationError,
    400008 BlobContainerValidationError,
    400009 ImportWarningExistsError,
    400010 InvalidSchemaVersion,
    400011 DeviceDefinedMultipleTimes,
    400012 DeserializationError,
    400013 BulkRegistryOperationFailure,
    400014 DefaultStorageEndpointNotConfigured,
    400015 InvalidFileUploadCorrelationId,
    400016 ExpiredFileUploadCorrelationId,
    400017 InvalidStorageEndpoint,
    400018 InvalidMessagingEndpoint,
    400019 InvalidFileUploadCompletionStatus,
    400020 InvalidStorageEndpointOrBlob,
    400021 RequestCanceled,
    400022 InvalidStorageEndpointProperty,
    400023 EtagDoesNotMatch,
    400024 RequestTimedOut,
    400025 UnsupportedOperationOnReplica,
    400026 NullMessage,
    400027 ConnectionForcefullyClosedOnNewConnection,
    400028 InvalidDeviceScope,
    400029 ConnectionForcefullyClosedOnFaultInjection,
    400030 ConnectionRejectedOnFaultInjection,
    400031 InvalidEndpointAuthenticationType,
    400032 ManagedIdentityNotEnabled,
    400035 InvalidPolicyKey,
    400036 BulkRegenerateDeviceKeyOperationFailure,
    400100 InvalidRouteTestInput,
    400101 InvalidSourceOnRoute,
    400102 RoutingNotEnabled,
    400103 InvalidContentEncodingOrType,
    400301 CannotRegisterModuleToModule,
    400302 TenantHubRoutingNotEnabled,
    400401 InvalidConfigurationTargetCondition,
    400402 InvalidConfigurationContent,
    400403 CannotModifyImmutableConfigurationContent,
    400404 InvalidConfigurationCustomMetricsQuery,
    400501 InvalidPnPInterfaceDefinition,
    400502 InvalidPnPDesiredProperties,
    400503 InvalidPnPReportedProperties,
    400504 InvalidPnPWritableReportedProperties,
    400505 InvalidDigitalTwinJsonPatch,
    400506 InvalidDigitalTwinPayload,
    400507 InvalidDigitalTwinPatch,
    400508 InvalidDigitalTwinPatchPath,
    401000 GenericUnauthorized,
    401001 IotHubNotFound,
    401002 IotHubUnauthorizedAccess,
    401003 IotHubUnauthorized,
    401004 ElasticPoolNotFound,
    401100 SystemModuleModifyUnauthorizedAccess,
    403000 GenericForbidden,
    403001 IotHubSuspended,
    403002 IotHubQuotaExceeded,
    403003 JobQuotaExceeded,
    403004 DeviceMaximumQueueDepthExceeded,
    403005 IotHubMaxCbsTokenExceeded,
    403006 DeviceMaximumActiveFileUploadLimitExceeded,
    403007 DeviceMaximumQueueSizeExceeded,
    403008 RoutingEndpointResponseForbidden,
    403009 InvalidMessageExpiryTime,
    403010 OperationNotAvailableInCurrentTier,
    403011 KeyEncryptionKeyRevoked,
    403012 DeviceDisabled,
    403100 DeviceModelMaxPropertiesExceeded,
    403101 DeviceModelMaxIndexablePropertiesExceeded,
    403800 DeviceMaximumInflightMethodExceeded,
    404000 GenericNotFound,
    404001 DeviceNotFound,
    404002 JobNotFound,
    404003 PartitionNotFound,
    404004 QuotaMetricNotFound,
    404005 SystemPropertyNotFound,
    404006 AmqpAddressNotFound,
    404007 RoutingEndpointResponseNotFound,
    404008 CertificateNotFound,
    404009 ElasticPoolTenantHubNotFound,
    404010 ModuleNotFound,
    404011 AzureTableStoreNotFound,
    404012 IotHubFailingOver,
    404013 FeatureNotSupported,
    404014 DigitalTwinInterfaceNotFound,
    404101 QueryStoreClusterNotFound,
    404103 DeviceNotOnline,
    404104 DeviceConnectionClosedRemotely,
    404301 ConfigurationNotFound,
    404302 GroupNotFound,
    404401 DigitalTwinModelNotFound,
    404402 InterfaceNameModelNotFound,
    405000 GenericMethodNotAllowed,
    405102 OperationNotAllowedInCurrentState,
    405103 ImportDevicesNotSupported,
    405104 BulkAddDevicesNotSupported,
    409000 GenericConflict,
    409001 DeviceAlreadyExists,
    409002 LinkCreationConflict,
    409003 CallbackSubscriptionConflict,
    409101 ModelAlreadyExists,
    409102 DeviceLocked,
    409103 DeviceJobAlreadyExists,
    409104 JobAlreadyExists,
    409301 ModuleAlreadyExistsOnDevice,
    409401 ConfigurationAlreadyExists,
    409402 ApplyConfigurationAlreadyInProgressOnDevice,
    409501 DigitalTwinModelAlreadyExists,
    409502 DigitalTwinModelExistsWithOtherModelType,
    409503 InterfaceNameModelAlreadyExists,
    412000 GenericPreconditionFailed,
    412001 PreconditionFailed,
    412002 DeviceMessageLockLost,
    412003 JobRunPreconditionFailed,
    412004 InflightMessagesInLink,
    413000 GenericRequestEntityTooLarge,
    413001 MessageTooLarge,
    413002 TooManyDevices,
    413003 TooManyModulesOnDevice,
    413101 ConfigurationCountLimitExceeded,
    413201 DigitalTwinModelCountLimitExceeded,
    413202 InterfaceNameCompressionModelCountLimitExceeded,
    415000 GenericUnsupportedMediaType,
    415101 IncompatibleDataType,
    429000 GenericTooManyRequests,
    429001 ThrottlingException,
    429002 ThrottleBacklogLimitExceeded,
    429003 ThrottlingBacklogTimeout,
    429004 ThrottlingMaxActiveJobCountExceeded,
    429005 DeviceThrottlingLimitExceeded,
    499000 ClientClosedRequest,
    500001 ServerError,
    500002 JobCancelled,
    500008 GenericTimeout,
    500301 ModelRepoEndpointError,
    500302 ResolutionError,
    500401 UnableToFetchCredentials,
    500402 UnableToFetchTenantInfo,
    500403 UnableToShareIdentity,
    500501 UnableToExpandDiscoveryInfo,
    500502 UnableToExpandComponentInfo,
    500503 UnableToCompressComponentInfo,
    500504 UnableToCompressDiscoveryInfo,
    500505 OrphanDiscoveryDocument,
    502000 GenericBadGateway,
    503000 GenericServiceUnavailable,
    503001 ServiceUnavailable,
    503004 IotHubActivationFailed,
    503005 ServerBusy,
    503006 IotHubRestoring,
    503008 ReceiveLinkOpensThrottled,
    503101 ConnectionUnavailable,
    503102 DeviceUnavailable,
    503201 ConfigurationNotAvailable,
    503202 GroupNotAvailable,
    503301 HostingServiceNotAvailable,
    504000 GenericGatewayTimeout,
    504101 GatewayTimeout,
}

impl ErrorCode {
    /// The code of a textual name: a listed code (its exact spelling, or failing that the
    /// same letters in another case, as in `IoTHubUnauthorized`), else [`ErrorCode::Other`].
    pub fn from_name(name: &str) -> Self {
        Self::listed(name)
            .or_else(|| {
                ALL.iter()
                    .find(|(_, listed)| listed.eq_ignore_ascii_case(name))
                    .and_then(|(number, _)| Self::from_numeric(*number))
            })
            .unwrap_or_else(|| Self::Other(name.to_owned()))
    }

    /// The HTTP status the code goes with (the first three digits of its number), for a
    /// listed code.
    pub fn http_status(&self) -> Option<u16> {
        self.numeric()
            .and_then(|number| u16::try_from(number / 1000).ok())
    }

    /// Every listed code, in the order of their numbers.
    pub fn all() -> impl Iterator<Item = Self> {
        ALL.iter()
            .filter_map(|(number, _)| Self::from_numeric(*number))
    }
}

/// The name of a listed code's number.
pub(super) fn name_of(number: i64) -> Option<&'static str> {
    ALL.iter()
        .find(|(listed, _)| *listed == number)
        .map(|(_, name)| *name)
}

/// The code's name, so that `Option<ErrorCode>` compares with names through `as_deref`.
impl std::ops::Deref for ErrorCode {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, name: &str) -> bool {
        self.as_str() == name
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(name: &str) -> Self {
        Self::from_name(name)
    }
}

impl FromStr for ErrorCode {
    type Err = Infallible;

    fn from_str(name: &str) -> Result<Self, Infallible> {
        Ok(Self::from_name(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_map_both_ways_and_numbers_start_with_the_status() {
        let mut previous = 0;
        for (number, name) in ALL {
            assert!(*number > previous, "sorted and unique: {number}");
            previous = *number;
            let code = ErrorCode::from_numeric(*number).unwrap();
            assert_eq!(code.as_str(), *name);
            assert_eq!(code.numeric(), Some(*number));
            assert_eq!(ErrorCode::from_name(name), code);
            assert_eq!(code.to_string(), *name);
            let status = code.http_status().unwrap();
            assert!((400..600).contains(&status), "{name}");
        }
        assert_eq!(ErrorCode::all().count(), ALL.len());
        assert_eq!(ErrorCode::all().count(), 163);
    }

    #[test]
    fn unknown_codes_are_kept_and_case_is_forgiven() {
        assert_eq!(
            ErrorCode::from_name("IoTHubUnauthorized"),
            ErrorCode::IotHubUnauthorized
        );
        let other: ErrorCode = "SomethingNew".parse().unwrap();
        assert_eq!(other, ErrorCode::Other("SomethingNew".to_owned()));
        assert_eq!(other.as_str(), "SomethingNew");
        assert_eq!(other.numeric(), None);
        assert_eq!(other.http_status(), None);
        assert_eq!(ErrorCode::from_numeric(404999), None);
        assert_eq!(
            ErrorCode::ThrottlingMaxActiveJobCountExceeded.http_status(),
            Some(429)
        );
        assert_eq!(ErrorCode::DeviceNotOnline.numeric(), Some(404103));
    }
}
