using System.Text;

namespace Push.Core.Storage;

/// <summary>
/// Rules for Table storage partition and row keys. The service rejects '/', '\', '#', '?' and control
/// characters (U+0000–U+001F, U+007F–U+009F) in keys, and some of them (like '/') silently address a different
/// resource in the URL, so keys are checked (or escaped) before any request is built. '%' is refused as well:
/// some Table operations fail on a key that holds it (the Azure Storage team's note "PartitionKey or RowKey
/// containing the percent '%' character causes some Windows Azure Tables APIs to fail"), and anything that
/// percent-decodes a key would read "%00" as a NUL. The event contract's ids follow <see cref="IsAllowed"/>
/// (see <c>EventFieldPatterns</c>), so an accepted event never needs <see cref="Escape"/>.
/// </summary>
public static class TableKeys
{
    /// <summary>The service limit for a key is 1 KiB.</summary>
    public const int MaxLength = 1024;

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="field"/> when the value cannot be a key.</summary>
    public static void Validate(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{field} must not be empty.", field);
        }
        if (value.Length > MaxLength)
        {
            throw new ArgumentException($"{field} is longer than {MaxLength} characters.", field);
        }
        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                // The offending character is described, not echoed: it may be a control character.
                throw new ArgumentException(
                    $"{field} contains a character Table storage does not allow in keys ('/', '\\', '#', '?', '%' or a control character, here U+{(int)c:X4}).",
                    field);
            }
        }
    }

    /// <summary>
    /// A reversible escape for values chosen by others (for example a CloudEvent id): forbidden characters
    /// and '%' become %XX (UTF-8), everything else is kept so keys stay readable in the portal.
    /// </summary>
    public static string Escape(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{field} must not be empty.", field);
        }
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!IsAllowed(c))
            {
                builder ??= new StringBuilder(value, 0, i, value.Length + 16);
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder?.Append(c);
            }
        }
        var escaped = builder?.ToString() ?? value;
        if (escaped.Length > MaxLength)
        {
            throw new ArgumentException($"{field} is longer than {MaxLength} characters once escaped.", field);
        }
        return escaped;
    }

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string key)
    {
        if (!key.Contains('%', StringComparison.Ordinal)) return key;
        return Uri.UnescapeDataString(key);
    }

    /// <summary>Whether <paramref name="c"/> may appear in a key this project writes unescaped.</summary>
    public static bool IsAllowed(char c) => c != '%' && !IsForbidden(c);

    // char.IsControl is exactly U+0000–U+001F and U+007F–U+009F, the service's "control characters".
    private static bool IsForbidden(char c) =>
        c is '/' or '\\' or '#' or '?' || char.IsControl(c);
}
