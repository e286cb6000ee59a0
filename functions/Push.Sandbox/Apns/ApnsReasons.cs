using System.Collections.Frozen;

namespace Push.Sandbox.Apns;

/// <summary>
/// Apple's rejection reasons and the status each comes with ("Handling notification responses from APNs",
/// developer.apple.com). Kept here, not shared with our client, so the sandbox cannot agree with a client's mistake.
/// </summary>
internal static class ApnsReasons
{
    public const string BadCollapseId = "BadCollapseId";
    public const string BadDeviceToken = "BadDeviceToken";
    public const string BadExpirationDate = "BadExpirationDate";
    public const string BadMessageId = "BadMessageId";
    public const string BadPriority = "BadPriority";
    public const string BadTopic = "BadTopic";
    public const string DeviceTokenNotForTopic = "DeviceTokenNotForTopic";
    public const string DuplicateHeaders = "DuplicateHeaders";
    public const string InvalidPushType = "InvalidPushType";
    public const string MissingDeviceToken = "MissingDeviceToken";
    public const string MissingTopic = "MissingTopic";
    public const string PayloadEmpty = "PayloadEmpty";
    public const string TopicDisallowed = "TopicDisallowed";
    public const string ExpiredProviderToken = "ExpiredProviderToken";
    public const string InvalidProviderToken = "InvalidProviderToken";
    public const string MissingProviderToken = "MissingProviderToken";
    public const string BadPath = "BadPath";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string Unregistered = "Unregistered";
    public const string ExpiredToken = "ExpiredToken";
    public const string PayloadTooLarge = "PayloadTooLarge";
    public const string TooManyProviderTokenUpdates = "TooManyProviderTokenUpdates";

    /// <summary>
    /// Not in Apple's list: Apple documents no reason for a body that is not a JSON object. The sandbox
    /// refuses such a body anyway (a client that sends one has a bug) and says so with this reason.
    /// </summary>
    public const string SandboxMalformedPayload = "BadRequest";

    private static readonly FrozenDictionary<string, int> Statuses = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [BadCollapseId] = 400,
        [BadDeviceToken] = 400,
        [BadExpirationDate] = 400,
        [BadMessageId] = 400,
        [BadPriority] = 400,
        [BadTopic] = 400,
        [DeviceTokenNotForTopic] = 400,
        [DuplicateHeaders] = 400,
        ["IdleTimeout"] = 400,
        [InvalidPushType] = 400,
        [MissingDeviceToken] = 400,
        [MissingTopic] = 400,
        [PayloadEmpty] = 400,
        [TopicDisallowed] = 400,
        ["BadCertificate"] = 403,
        ["BadCertificateEnvironment"] = 403,
        [ExpiredProviderToken] = 403,
        ["Forbidden"] = 403,
        [InvalidProviderToken] = 403,
        [MissingProviderToken] = 403,
        ["UnrelatedKeyIdInToken"] = 403,
        ["BadEnvironmentKeyIdInToken"] = 403,
        [BadPath] = 404,
        [MethodNotAllowed] = 405,
        [ExpiredToken] = 410,
        [Unregistered] = 410,
        [PayloadTooLarge] = 413,
        [TooManyProviderTokenUpdates] = 429,
        ["TooManyRequests"] = 429,
        ["InternalServerError"] = 500,
        ["ServiceUnavailable"] = 503,
        ["Shutdown"] = 503,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string reason) => Statuses.ContainsKey(reason);

    public static int StatusOf(string reason) =>
        reason == SandboxMalformedPayload ? 400 : Statuses[reason];

    /// <summary>410 answers carry the time APNs last confirmed the token was invalid.</summary>
    public static bool HasTimestamp(string reason) => reason is Unregistered or ExpiredToken;
}
