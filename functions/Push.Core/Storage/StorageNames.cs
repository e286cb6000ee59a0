using System.Text.RegularExpressions;

namespace Push.Core.Storage;

/// <summary>Storage's rule for queue and blob container names (the same rule), for options validation.</summary>
public static partial class StorageNames
{
    /// <summary>3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsQueueOrContainerName(string? name, int maxLength = 63) =>
        name is not null && name.Length <= maxLength && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
