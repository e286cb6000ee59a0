using System.Globalization;
using Push.Core.DeadLetters;

namespace Push.Cli.DeadLetters;

/// <summary>The filters <c>push dlq</c> commands share: a reason substring and a minimum age.</summary>
internal sealed record DlqFilter(string? Reason, TimeSpan? OlderThan)
{
    public bool Matches(string reason, DateTimeOffset deadLetteredOn, DateTimeOffset now) =>
        (Reason is null || reason.Contains(Reason, StringComparison.OrdinalIgnoreCase)) &&
        (OlderThan is not { } age || deadLetteredOn <= now - age);

    public bool Matches(DeadLetterEntry entry, DateTimeOffset now) => Matches(entry.Reason.ToString(), entry.DeadLetteredOn, now);

    /// <summary>"90s", "10m", "2h", "1d", or a TimeSpan ("00:10:00").</summary>
    public static TimeSpan ParseAge(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            switch (char.ToLowerInvariant(trimmed[^1]))
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        if (TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new CliException($"--older-than '{text}' is not an age: use e.g. 90s, 10m, 2h, 1d or 00:10:00");
    }
}
