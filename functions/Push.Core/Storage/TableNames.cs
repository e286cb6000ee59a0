using System.Text.RegularExpressions;

namespace Push.Core.Storage;

/// <summary>Table storage's rule for table names, for options validation.</summary>
public static partial class TableNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name) &&
        !name.Equals("tables", StringComparison.OrdinalIgnoreCase);

    /// <summary>The failure for setting <paramref name="key"/> (named in full; the value is not repeated).</summary>
    public static string Failure(string key) => $"{key} must be a table name of 3-63 letters and digits, starting with a letter.";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
