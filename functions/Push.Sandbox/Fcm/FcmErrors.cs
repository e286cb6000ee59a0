using System.Collections.Frozen;

namespace Push.Sandbox.Fcm;

/// <summary>
/// FCM v1 error codes with the HTTP status, canonical status and message Google answers with
/// (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
/// </summary>
internal static class FcmErrors
{
    public const string FcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    public const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";
    public const string BadRequestType = "type.googleapis.com/google.rpc.BadRequest";

    public const string InvalidArgument = "INVALID_ARGUMENT";

    private static readonly FrozenDictionary<string, (int Code, string Status, string Message)> Table =
        new Dictionary<string, (int, string, string)>(StringComparer.Ordinal)
        {
            ["UNSPECIFIED_ERROR"] = (500, "INTERNAL", "Internal error encountered."),
            [InvalidArgument] = (400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
            ["UNREGISTERED"] = (404, "NOT_FOUND", "Requested entity was not found."),
            ["SENDER_ID_MISMATCH"] = (403, "PERMISSION_DENIED", "SenderId mismatch"),
            ["QUOTA_EXCEEDED"] = (429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'."),
            ["UNAVAILABLE"] = (503, "UNAVAILABLE", "The service is currently unavailable."),
            ["INTERNAL"] = (500, "INTERNAL", "Internal error encountered."),
            ["THIRD_PARTY_AUTH_ERROR"] = (401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service"),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string errorCode) => Table.ContainsKey(errorCode);

    public static (int Code, string Status, string Message) Lookup(string errorCode) => Table[errorCode];
}
