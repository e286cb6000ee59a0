using Microsoft.Extensions.Configuration;
using Push.Hosting.Timers;

namespace Push.Hosting.Tests.Timers;

public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_six_field_expression_counts_seconds_first_in_utc()
    {
        var schedule = TimerSchedule.Parse("30 */20 * * * *");

        Assert.Equal(Noon.AddSeconds(30), schedule.GetNextOccurrence(Noon));
        Assert.Equal(Noon.AddMinutes(20).AddSeconds(30), schedule.GetNextOccurrence(Noon.AddSeconds(30)));
        // An offset in the input does not shift the schedule: occurrences are UTC instants.
        var inBerlin = new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(Noon.AddSeconds(30), schedule.GetNextOccurrence(inBerlin));
    }

    [Fact]
    public void Day_of_week_and_hour_fields_are_honoured()
    {
        // 09:30:00 on weekdays; 2026-03-14 is a Saturday.
        var schedule = TimerSchedule.Parse("0 30 9 * * 1-5");

        Assert.Equal(new DateTimeOffset(2026, 3, 16, 9, 30, 0, TimeSpan.Zero),
            schedule.GetNextOccurrence(new DateTimeOffset(2026, 3, 13, 10, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("0 */5 * * * * *")]
    [InlineData("0 61 * * * *")]
    [InlineData("every five minutes")]
    [InlineData("")]
    public void An_invalid_expression_is_refused(string expression)
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression));
        Assert.Contains($"'{expression.Trim()}'", error.Message);
    }

    [Fact]
    public void A_percent_name_is_read_from_the_setting()
    {
        var configuration = Configuration(("Timers:RefreshProviderTokens", "0 */20 * * * *"));
        var errors = new List<string>();

        var schedule = TimerSchedule.Resolve("refresh-provider-tokens", "%Timers:RefreshProviderTokens%", configuration, errors);

        Assert.Empty(errors);
        Assert.NotNull(schedule);
        Assert.Equal("0 */20 * * * *", schedule.Expression);
        Assert.Equal(Noon.AddMinutes(20), schedule.GetNextOccurrence(Noon));
    }

    [Fact]
    public void A_missing_setting_is_an_error_naming_the_function_and_the_setting()
    {
        var errors = new List<string>();

        var schedule = TimerSchedule.Resolve("refresh-provider-tokens", "%Timers:RefreshProviderTokens%", Configuration(), errors);

        Assert.Null(schedule);
        var error = Assert.Single(errors);
        Assert.Contains("refresh-provider-tokens", error);
        Assert.Contains("'Timers:RefreshProviderTokens'", error);
    }

    [Fact]
    public void An_invalid_expression_in_a_setting_is_an_error_naming_the_function_the_setting_and_the_value()
    {
        var configuration = Configuration(("Timers:Triage", "*/5 * * * *"));
        var errors = new List<string>();

        var schedule = TimerSchedule.Resolve("dead-letter-triage", "%Timers:Triage%", configuration, errors);

        Assert.Null(schedule);
        var error = Assert.Single(errors);
        Assert.Contains("dead-letter-triage", error);
        Assert.Contains("'Timers:Triage'", error);
        Assert.Contains("'*/5 * * * *'", error);
        Assert.Contains("six", error);
    }

    [Fact]
    public void A_literal_expression_error_names_the_function()
    {
        var errors = new List<string>();

        Assert.Null(TimerSchedule.Resolve("dead-letter-triage", "0 0 25 * * *", Configuration(), errors));

        var error = Assert.Single(errors);
        Assert.Contains("dead-letter-triage", error);
        Assert.Contains("'0 0 25 * * *'", error);
    }

    [Fact]
    public void Without_a_status_the_next_occurrence_is_recorded_and_nothing_is_past_due()
    {
        var schedule = TimerSchedule.Parse("0 */20 * * * *");

        var check = ScheduleMonitor.Evaluate(null, schedule, Noon.AddMinutes(5));

        Assert.True(check.MustWrite);
        Assert.Null(check.PastDueOccurrence);
        Assert.Equal(new ScheduleStatus(null, Noon.AddMinutes(20), Noon.AddMinutes(5)), check.Status);
    }

    [Fact]
    public void A_recorded_next_occurrence_in_the_past_is_past_due_once_however_many_were_missed()
    {
        var schedule = TimerSchedule.Parse("0 */20 * * * *");
        var status = new ScheduleStatus(Noon, Noon.AddMinutes(20), Noon.AddSeconds(1));

        var check = ScheduleMonitor.Evaluate(status, schedule, Noon.AddHours(5));

        Assert.Equal(Noon.AddMinutes(20), check.PastDueOccurrence);
        Assert.False(check.MustWrite);
        Assert.Same(status, check.Status);
    }

    [Fact]
    public void A_recorded_next_occurrence_still_ahead_is_not_past_due()
    {
        var schedule = TimerSchedule.Parse("0 */20 * * * *");
        var status = new ScheduleStatus(Noon, Noon.AddMinutes(20), Noon.AddSeconds(1));

        var check = ScheduleMonitor.Evaluate(status, schedule, Noon.AddMinutes(20));

        Assert.Null(check.PastDueOccurrence);
        Assert.Same(status, check.Status);
    }

    [Fact]
    public void A_changed_schedule_starts_afresh_instead_of_reporting_a_missed_run()
    {
        // Written under "every 20 minutes"; the schedule is now hourly and the old Next has passed.
        var status = new ScheduleStatus(Noon, Noon.AddMinutes(20), Noon.AddSeconds(1));

        var check = ScheduleMonitor.Evaluate(status, TimerSchedule.Parse("0 0 * * * *"), Noon.AddMinutes(30));

        Assert.True(check.ScheduleChanged);
        Assert.True(check.MustWrite);
        Assert.Null(check.PastDueOccurrence);
        Assert.Equal(new ScheduleStatus(null, Noon.AddHours(1), Noon.AddMinutes(30)), check.Status);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
