using Cronos;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Timers;

/// <summary>
/// A six-field NCRONTAB schedule (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>), evaluated in UTC, as the
/// Functions timer trigger reads it; the expression may come from a setting named <c>%SettingName%</c>.
/// </summary>
public sealed class TimerSchedule
{
    private readonly CronExpression _expression;

    private TimerSchedule(CronExpression expression, string text)
    {
        _expression = expression;
        Expression = text;
    }

    /// <summary>The expression as written (after resolving a <c>%SettingName%</c>).</summary>
    public string Expression { get; }

    /// <summary>Parses a six-field expression; throws <see cref="FormatException"/> naming the expression if it is not one.</summary>
    public static TimerSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var text = expression.Trim();
        // Cronos would read five fields as minute-first; Functions requires the seconds field, so refuse rather than shift.
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw new FormatException($"'{text}' has {fields.Length} fields; a timer schedule needs six ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})");
        }
        try
        {
            return new TimerSchedule(CronExpression.Parse(string.Join(' ', fields), CronFormat.IncludeSeconds), text);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"'{text}' is not a valid NCRONTAB expression: {ex.Message}", ex);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if the expression never fires again.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), TimeZoneInfo.Utc, inclusive: false);

    public override string ToString() => Expression;

    /// <summary>
    /// Resolves <paramref name="schedule"/> (an expression, or <c>%SettingName%</c> read from <paramref name="configuration"/>)
    /// and parses it; an error names the function and, for a setting, the setting's key.
    /// </summary>
    internal static TimerSchedule? Resolve(string functionName, string schedule, IConfiguration configuration, ICollection<string> errors)
    {
        var text = schedule.Trim();
        string? setting = null;
        if (text.Length >= 2 && text[0] == '%' && text[^1] == '%')
        {
            setting = text[1..^1];
            var value = setting.Length == 0 ? null : configuration[setting];
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"timer function {functionName}: its schedule names the setting '{setting}', which is missing or empty");
                return null;
            }
            text = value;
        }
        try
        {
            return Parse(text);
        }
        catch (FormatException ex)
        {
            errors.Add(setting is null
                ? $"timer function {functionName}: schedule {ex.Message}"
                : $"timer function {functionName}: schedule from setting '{setting}' {ex.Message}");
            return null;
        }
    }
}
