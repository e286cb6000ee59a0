using System.Text.RegularExpressions;

namespace Push.Core.Events;

/// <summary>
/// The regular expressions of the event contract, written exactly as in <c>schemas/push-event.schema.json</c>.
/// They end in <c>$(?!\n)</c> because .NET's <c>$</c> also matches before a final newline, and a newline in an
/// id would make the encryption's associated data ambiguous; ECMAScript engines read it the same way.
/// </summary>
internal static partial class EventFieldPatterns
{
    public const string Identifier = @"^[\x21-\x7E]{1,128}$(?!\n)";
    public const string Rfc3339Time = @"^(?!0000)([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|[0-9]{4}-(0[13-9]|1[0-2])-(29|30)|[0-9]{4}-(0[13578]|1[02])-31|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$(?!\n)";
    public const string JsonContentType = @"^application/json\s*(;.*)?$(?!\n)";
    public const string AppId = @"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$(?!\n)";
    public const string ApnsToken = @"^[0-9a-fA-F]{64}$(?!\n)";
    public const string FcmToken = @"^[^\s]{1,4096}$(?!\n)";
    public const string Region = @"^[A-Z]{2}$(?!\n)";
    public const string Key32Base64 = @"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$(?!\n)";
    public const string NodeAddress = @"^[^\s]{1,253}$(?!\n)";

    [GeneratedRegex(Identifier, RegexOptions.CultureInvariant)]
    public static partial Regex IdentifierRegex();

    [GeneratedRegex(Rfc3339Time, RegexOptions.CultureInvariant)]
    public static partial Regex Rfc3339TimeRegex();

    [GeneratedRegex(JsonContentType, RegexOptions.CultureInvariant)]
    public static partial Regex JsonContentTypeRegex();

    [GeneratedRegex(AppId, RegexOptions.CultureInvariant)]
    public static partial Regex AppIdRegex();

    [GeneratedRegex(ApnsToken, RegexOptions.CultureInvariant)]
    public static partial Regex ApnsTokenRegex();

    [GeneratedRegex(FcmToken, RegexOptions.CultureInvariant)]
    public static partial Regex FcmTokenRegex();

    [GeneratedRegex(Region, RegexOptions.CultureInvariant)]
    public static partial Regex RegionRegex();

    [GeneratedRegex(Key32Base64, RegexOptions.CultureInvariant)]
    public static partial Regex Key32Base64Regex();

    [GeneratedRegex(NodeAddress, RegexOptions.CultureInvariant)]
    public static partial Regex NodeAddressRegex();
}
