using System.Text.RegularExpressions;

namespace Push.Core.Events;

/// <summary>
/// The rules of the event contract that are written as regular expressions, exactly as in
/// <c>schemas/push-event.schema.json</c> (a test compares the two texts). They end in <c>$(?!\n)</c> because
/// .NET's <c>$</c> also matches before a final newline, and a newline in an id would make the encryption's
/// associated data ambiguous; ECMAScript engines read it the same way. Lengths are UTF-16 code units in both.
/// </summary>
/// <remarks>
/// Which fields become storage keys, and so follow <see cref="Storage.TableKeys.IsAllowed"/>:
/// <list type="bullet">
/// <item><c>id</c> (the tracking id): the ledger's partition key (<see cref="KeySafeIdentifier"/>).</item>
/// <item><c>subject</c>: the registry's partition key (<see cref="Subject"/>).</item>
/// <item><c>data.deviceId</c>, <c>data.devices[]</c>: the registry's and the ledger's row key (<see cref="KeySafeIdentifier"/>).</item>
/// </list>
/// <c>callId</c>, <c>conversationId</c> and <c>messageId</c> only travel encrypted or as keyed hashes, and the
/// key id only in the envelope, so they keep the plainer rules. A test tries every UTF-16 code unit against
/// <see cref="Storage.TableKeys.IsAllowed"/> to keep these classes and the storage rule the same.
/// </remarks>
internal static partial class EventFieldPatterns
{
    /// <summary>1–128 printable ASCII characters without spaces (the encryption key id).</summary>
    public const string Identifier = @"^[\x21-\x7E]{1,128}$(?!\n)";

    /// <summary>
    /// <see cref="Identifier"/> without the characters a Table key cannot hold unescaped: <c>/ \ # ? %</c>.
    /// Control characters and non-ASCII are already outside it.
    /// </summary>
    public const string KeySafeIdentifier = @"^[\x21\x22\x24\x26-\x2E\x30-\x3E\x40-\x5B\x5D-\x7E]{1,128}$(?!\n)";

    /// <summary>
    /// The recipient user id: 1–256 UTF-16 code units of any script, but none a Table key cannot hold
    /// (<c>/ \ # ? %</c>, U+0000–U+001F, U+007F–U+009F). 256 code units are 512 bytes, well inside a key's 1 KiB.
    /// </summary>
    public const string Subject = @"^[^\x00-\x1F\x7F-\x9F/\\#?%]{1,256}$(?!\n)";

    /// <summary>
    /// RFC 3339 with an offset, years 1970–9998 and offsets within ±14:00: the ring clock adds up to 28 days
    /// to the time, Table storage holds no date before 1601, and a <see cref="DateTimeOffset"/> no offset
    /// beyond 14 hours (no time zone uses one).
    /// </summary>
    public const string Rfc3339Time = @"^(?!0|1[0-8]|19[0-6]|9999)([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|[0-9]{4}-(0[13-9]|1[0-2])-(29|30)|[0-9]{4}-(0[13578]|1[02])-31|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?([Zz]|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$(?!\n)";
    public const string JsonContentType = @"^application/json\s*(;.*)?$(?!\n)";
    public const string AppId = @"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$(?!\n)";
    public const string ApnsToken = @"^[0-9a-fA-F]{64}$(?!\n)";
    public const string FcmToken = @"^[^\s]{1,4096}$(?!\n)";
    public const string Region = @"^[A-Z]{2}$(?!\n)";
    public const string Key32Base64 = @"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$(?!\n)";
    public const string NodeAddress = @"^[^\s]{1,253}$(?!\n)";

    [GeneratedRegex(Identifier, RegexOptions.CultureInvariant)]
    public static partial Regex IdentifierRegex();

    [GeneratedRegex(KeySafeIdentifier, RegexOptions.CultureInvariant)]
    public static partial Regex KeySafeIdentifierRegex();

    [GeneratedRegex(Subject, RegexOptions.CultureInvariant)]
    public static partial Regex SubjectRegex();

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
