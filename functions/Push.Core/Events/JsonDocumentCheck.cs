using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Push.Core.Events;

/// <summary>
/// What <see cref="JsonDocument"/> leaves to its caller, checked over the whole document before any field is
/// read: no object names a member twice, and every string (member names included) is valid Unicode.
/// </summary>
/// <remarks>
/// <para>
/// Repeated names: <see cref="JsonDocument"/> keeps them all and <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>
/// finds one of them, while other readers keep the first, the last, or refuse; a producer's validator and the relay
/// could read two different events from one message. (.NET 10's <c>AllowDuplicateProperties = false</c> would refuse
/// them as a syntax error without saying where; this check names the member.)
/// </para>
/// <para>
/// Unicode: the parser checks the raw bytes are UTF-8 first, since <see cref="JsonDocument"/> does not look inside
/// strings until <see cref="JsonElement.GetString"/>, which then throws. A <c>\uD800</c>-style escape for an unpaired
/// surrogate is valid JSON grammar but not text (RFC 8259 §8.2), and also throws there; it is found here.
/// </para>
/// </remarks>
internal static class JsonDocumentCheck
{
    /// <summary>The first problem in document order, or null.</summary>
    public static EventProblem? FindProblem(JsonElement root) => Visit(root, new List<object>(8));

    private static EventProblem? Visit(JsonElement element, List<object> path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? names = null;
                foreach (var member in element.EnumerateObject())
                {
                    if (!TryReadName(member, out var name))
                    {
                        path.Add(UnsafeName);
                        return new EventProblem(EventProblemCode.MalformedJson, PathOf(path), "is a member name with an unpaired surrogate escape, which is not text");
                    }
                    names ??= new HashSet<string>(StringComparer.Ordinal);
                    path.Add(name);
                    if (!names.Add(name))
                    {
                        return new EventProblem(EventProblemCode.DuplicateKey, PathOf(path), "is given more than once");
                    }
                    if (Visit(member.Value, path) is { } inner)
                    {
                        return inner;
                    }
                    path.RemoveAt(path.Count - 1);
                }
                return null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Add(index++);
                    if (Visit(item, path) is { } inner)
                    {
                        return inner;
                    }
                    path.RemoveAt(path.Count - 1);
                }
                return null;

            case JsonValueKind.String:
                return IsText(element)
                    ? null
                    : new EventProblem(EventProblemCode.MalformedJson, PathOf(path), "holds an unpaired surrogate escape, which is not text");

            default:
                return null;
        }
    }

    private static bool TryReadName(JsonProperty member, out string name)
    {
        try
        {
            name = member.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    private static bool IsText(JsonElement value)
    {
        // Without an escape, bytes already checked to be UTF-8 are text; only escapes need decoding to tell.
        if (JsonMarshal.GetRawUtf8Value(value).IndexOf((byte)'\\') < 0)
        {
            return true;
        }
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // Member names the producer chose travel into the reason only when they look like field names, so a reason
    // never carries other text from the message.
    private const string UnsafeName = "*";

    private static string PathOf(List<object> path)
    {
        var builder = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                builder.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
                continue;
            }
            if (builder.Length > 0) builder.Append('.');
            var name = (string)segment;
            builder.Append(IsPlainName(name) ? name : UnsafeName);
        }
        return builder.ToString();
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
