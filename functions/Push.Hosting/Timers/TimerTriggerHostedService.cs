using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;
using Push.Hosting.Queues;

namespace Push.Hosting.Timers;

/// <summary>Checks every timer's settings and schedule at start, then runs one <see cref="TimerListener"/> per bound function.</summary>
internal sealed partial class TimerTriggerHostedService(
    IEnumerable<TimerTriggerRegistration> registrations,
    IServiceProvider services,
    IServiceScopeFactory scopes,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedService
{
    private readonly List<TimerListener> _listeners = [];

    public IReadOnlyList<TimerListener> Listeners => _listeners;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bindings = registrations.ToList();
        if (bindings.Count == 0) return;
        // The storage connection comes from AddTimerTriggers, or from AddStorageQueues when the host has queues anyway.
        var connection = services.GetService<StorageBlobConnection>()
            ?? (services.GetService<StorageQueueConnection>() is { } queues ? new StorageBlobConnection(queues.Configuration) : null)
            ?? throw new InvalidOperationException(
                "Timer triggers are bound but neither AddTimerTriggers(configuration) nor AddStorageQueues(configuration) was called");
        var configuration = connection.Configuration;

        var reader = new SettingReader();
        var hostOptions = FunctionsHostOptions.Read(configuration, reader);
        var options = TimerTriggerOptions.Read(configuration, reader);
        var errors = new List<string>();
        var schedules = new Dictionary<TimerTriggerRegistration, TimerSchedule>();
        foreach (var binding in bindings)
        {
            if (!IsValidFunctionName(binding.FunctionName))
            {
                errors.Add($"timer function name '{binding.FunctionName}' must be 1..128 letters, digits, '-', '_' or '.' (it names its lease and status blobs)");
            }
            if (TimerSchedule.Resolve(binding.FunctionName, binding.Schedule, configuration, errors) is { } schedule)
            {
                schedules[binding] = schedule;
            }
        }
        foreach (var duplicate in bindings.GroupBy(b => b.FunctionName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"timer function name '{duplicate.Key}' is bound more than once");
        }
        foreach (var error in errors) reader.AddError(error);
        if (reader.Errors.Count > 0)
        {
            throw new OptionsValidationException(TimerTriggerOptions.SectionPath, typeof(TimerTriggerOptions), reader.Errors);
        }

        var container = connection.CreateServiceClient().GetBlobContainerClient(options.Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var telemetry = services.GetRequiredService<TimerTriggerTelemetry>();
        foreach (var binding in bindings)
        {
            var lease = new TimerLease(container, binding.FunctionName, options.LeaseDuration);
            await lease.EnsureBlobAsync(cancellationToken);
            var logger = loggerFactory.CreateLogger("Push.Hosting.Timers.TimerListener." + binding.FunctionName);
            _listeners.Add(new TimerListener(binding, schedules[binding], options, hostOptions, lease,
                new ScheduleMonitor(container, binding.FunctionName), scopes, telemetry, logger, time));
        }
        foreach (var listener in _listeners)
        {
            listener.Start();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_listeners.Select(listener => listener.StopAsync(cancellationToken)));

    /// <summary>Stops every timer without releasing its lease, as a crash would (see <see cref="TimerListener.AbandonAsync"/>).</summary>
    public Task AbandonAsync() => Task.WhenAll(_listeners.Select(listener => listener.AbandonAsync()));

    /// <summary>Whether this instance holds the lease of <paramref name="functionName"/>.</summary>
    public bool HoldsLease(string functionName) =>
        _listeners.Any(l => string.Equals(l.FunctionName, functionName, StringComparison.OrdinalIgnoreCase) && l.HoldsLease);

    /// <summary>The occurrence this instance waits for if it holds the lease of <paramref name="functionName"/> and is idle.</summary>
    public DateTimeOffset? WaitingFor(string functionName) =>
        _listeners.FirstOrDefault(l => string.Equals(l.FunctionName, functionName, StringComparison.OrdinalIgnoreCase))?.WaitingFor;

    private static bool IsValidFunctionName(string name) => name.Length is >= 1 and <= 128 && FunctionName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex FunctionName();
}
