using Cronos;

namespace LocalFunctionsHost.Timers;

/// <summary>
/// A six-field NCRONTAB schedule (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>), evaluated in UTC, as the
/// Functions timer trigger reads it.
/// </summary>
internal sealed class TimerSchedule
{
    private readonly CronExpression _expression;

    private TimerSchedule(CronExpression expression, string text)
    {
        _expression = expression;
        Expression = text;
    }

    /// <summary>The expression as written (after resolving a <c>%SettingName%</c>).</summary>
    public string Expression { get; }

    /// <summary>Parses a six-field expression; throws <see cref="FormatException"/> saying why it is not one.</summary>
    public static TimerSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var text = expression.Trim();
        // Cronos would read five fields as minute-first; Functions requires the seconds field, so refuse rather than shift.
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw new FormatException($"has {fields.Length} fields; a timer schedule needs six ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})");
        }
        try
        {
            return new TimerSchedule(CronExpression.Parse(string.Join(' ', fields), CronFormat.IncludeSeconds), text);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"is not a valid NCRONTAB expression: {ex.Message}", ex);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if the expression never fires again.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), TimeZoneInfo.Utc, inclusive: false);

    public override string ToString() => Expression;
}
