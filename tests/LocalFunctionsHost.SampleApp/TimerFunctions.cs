using Microsoft.Azure.Functions.Worker;

namespace LocalFunctionsHost.SampleApp;

/// <summary>Timer functions that record each run with what the host told them (past due, schedule status).</summary>
public sealed class TimerFunctions(MarkerWriter markers)
{
    [Function("Tick")]
    public Task Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer, FunctionContext context) => MarkAsync("Tick", timer, context);

    /// <summary>Yearly, so a run is the startup run (or a past-due one).</summary>
    [Function("StartupTick")]
    public Task StartupTick([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true, UseMonitor = false)] TimerInfo timer, FunctionContext context) =>
        MarkAsync("StartupTick", timer, context);

    private Task MarkAsync(string function, TimerInfo timer, FunctionContext context) =>
        markers.WriteAsync(new Marker(function, "completed", null, 0, null, "TimerInfo", context.InvocationId, Environment.ProcessId, 1,
            Environment.GetEnvironmentVariable("SAMPLE_INSTANCE"), Environment.GetEnvironmentVariable("SampleGreeting"),
            Environment.GetEnvironmentVariable("SampleOverride"), timer.IsPastDue, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next, At: DateTimeOffset.UtcNow));
}
