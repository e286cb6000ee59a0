using System.Text.RegularExpressions;

namespace Push.Core.Storage;

/// <summary>Table storage's rule for table names, for options validation.</summary>
public static partial class TableNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name) &&
        !name.Equals("tables", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
