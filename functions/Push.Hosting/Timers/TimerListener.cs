using System.Diagnostics;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Push.Hosting.Configuration;

namespace Push.Hosting.Timers;

/// <summary>
/// One timer: tries to take its blob lease; while it holds it, keeps it renewed, catches up a missed occurrence once,
/// runs the schedule, and records each run in the schedule status; when it loses the lease it goes back to trying.
/// </summary>
/// <remarks>
/// Two clocks on purpose. The schedule (delays until occurrences, status times, functionTimeout) follows the injected
/// <see cref="TimeProvider"/>, so tests can let hours pass at once. The lease (acquire attempts, renewals) follows real
/// time, because the storage service expires a lease on its own wall clock: renewing on a simulated clock would let
/// the lease lapse whenever the simulated clock stood still.
/// </remarks>
internal sealed class TimerListener
{
    /// <summary>The lease's clock; see the remarks on the class.</summary>
    private static readonly TimeProvider LeaseClock = TimeProvider.System;

    /// <summary>Retry pace for a failed renewal while the lease has time left.</summary>
    private static readonly TimeSpan RenewalRetry = TimeSpan.FromSeconds(1);

    /// <summary>Stop counting on the lease this long before storage would expire it: the two clocks are not the same clock.</summary>
    private static readonly TimeSpan LeaseSafetyMargin = TimeSpan.FromSeconds(2);

    /// <summary>Real timers cannot wait longer than about 49 days; a yearly schedule waits in steps.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>How long a function that ignores cancellation is waited for once the grace period has ended.</summary>
    private static readonly TimeSpan IgnoredCancellationWait = TimeSpan.FromSeconds(5);

    /// <summary>Bounds the release at shutdown; if it fails the lease simply expires.</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    private readonly TimerTriggerRegistration _registration;
    private readonly TimerSchedule _schedule;
    private readonly TimerTriggerOptions _options;
    private readonly FunctionsHostOptions _hostOptions;
    private readonly TimerLease _lease;
    private readonly ScheduleMonitor _monitor;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimerTriggerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _abandoned;
    private volatile bool _holdsLease;
    private bool _ranOnStartup;
    private long _lastRenewed;
    private long _waitingForTicks;
    private Task _loop = Task.CompletedTask;

    public TimerListener(TimerTriggerRegistration registration, TimerSchedule schedule, TimerTriggerOptions options,
        FunctionsHostOptions hostOptions, TimerLease lease, ScheduleMonitor monitor, IServiceScopeFactory scopes,
        TimerTriggerTelemetry telemetry, ILogger logger, TimeProvider time)
    {
        _registration = registration;
        _schedule = schedule;
        _options = options;
        _hostOptions = hostOptions;
        _lease = lease;
        _monitor = monitor;
        _scopes = scopes;
        _telemetry = telemetry;
        _logger = logger;
        _time = time;
    }

    public string FunctionName => _registration.FunctionName;

    /// <summary>Whether this instance currently holds the timer's lease (and so is the one running it).</summary>
    public bool HoldsLease => _holdsLease;

    /// <summary>The occurrence this instance is waiting for, while it holds the lease and no run is under way.</summary>
    public DateTimeOffset? WaitingFor
    {
        get
        {
            var ticks = Interlocked.Read(ref _waitingForTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Start()
    {
        _logger.TimerStarted(FunctionName, _schedule.Expression, _registration.RunOnStartup, _options.LeaseDuration);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Stops scheduling, lets a running function finish until <paramref name="graceEnded"/> (then cancels it), records
    /// its run, and releases the lease so another instance takes over at its next acquire attempt.
    /// </summary>
    public async Task StopAsync(CancellationToken graceEnded)
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(graceEnded);
        }
        catch (OperationCanceledException) when (graceEnded.IsCancellationRequested)
        {
            await _abort.CancelAsync();
            try
            {
                await _loop.WaitAsync(IgnoredCancellationWait);
            }
            catch (TimeoutException)
            {
                _logger.FunctionIgnoredCancellation(FunctionName);
            }
        }
    }

    /// <summary>
    /// Stops at once and leaves the lease to expire, as a crashed or frozen instance would: nothing more is written or
    /// released. Used when the instance can no longer be trusted to run the timer, and by tests to simulate a crash.
    /// </summary>
    public async Task AbandonAsync()
    {
        _abandoned = true;
        await _abort.CancelAsync();
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(IgnoredCancellationWait);
        }
        catch (TimeoutException)
        {
            _logger.FunctionIgnoredCancellation(FunctionName);
        }
        _logger.Abandoned(FunctionName);
    }

    private async Task RunAsync()
    {
        var released = false;
        while (!_stopping.IsCancellationRequested)
        {
            bool acquired;
            try
            {
                acquired = await _lease.TryAcquireAsync(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Storage unreachable, credentials refused, …: not ours to decide that the timer is dead; keep trying.
                var (status, code) = Describe(ex);
                _logger.LeaseAcquireFailed(FunctionName, ex.GetType().Name, status, code);
                acquired = false;
            }
            if (!acquired)
            {
                if (!await DelayAsync(_options.LeaseAcquireInterval, LeaseClock, _stopping.Token)) break;
                continue;
            }

            Volatile.Write(ref _lastRenewed, LeaseClock.GetTimestamp());
            _holdsLease = true;
            _telemetry.Lease(FunctionName, "acquired");
            _logger.LeaseAcquired(FunctionName);
            var retryPause = await HoldAsync();
            _holdsLease = false;
            if (_abandoned) break;
            if (_stopping.IsCancellationRequested)
            {
                released = await ReleaseAsync();
                break;
            }
            // A storage fault while holding: pause before trying again so a broken account is not hammered.
            if (retryPause && !await DelayAsync(_options.LeaseAcquireInterval, LeaseClock, _stopping.Token)) break;
        }
        if (!_abandoned) _logger.TimerStopped(FunctionName, released);
    }

    /// <summary>Runs the schedule while the lease is held; returns whether the caller should pause before reacquiring.</summary>
    private async Task<bool> HoldAsync()
    {
        using var lost = new CancellationTokenSource();
        using var holding = new CancellationTokenSource();
        var renewal = RenewAsync(lost, holding.Token);
        var pause = false;
        try
        {
            using var scheduling = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, lost.Token);
            await ScheduleAsync(scheduling.Token, lost);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested || lost.IsCancellationRequested || _abort.IsCancellationRequested)
        {
        }
        catch (ScheduleStatusConflictException)
        {
            LoseLease(lost, "the schedule status was written by another instance");
        }
        catch (RequestFailedException ex)
        {
            var (status, code) = Describe(ex);
            _logger.StatusFailed(FunctionName, ex.GetType().Name, status, code);
            pause = true;
        }
        catch (Exception ex)
        {
            // Anything else (a credential refused, say) must not end the listener for good: log the type, pause, retry.
            _logger.StatusFailed(FunctionName, ex.GetType().Name, 0, null);
            pause = true;
        }
        finally
        {
            await holding.CancelAsync();
            await renewal;
        }
        return pause;
    }

    private async Task ScheduleAsync(CancellationToken scheduling, CancellationTokenSource lost)
    {
        var (read, unreadable) = await _monitor.ReadAsync(scheduling);
        if (unreadable) _logger.StatusUnreadable(FunctionName, "JsonException");
        var now = _time.GetUtcNow();
        var check = ScheduleMonitor.Evaluate(read, _schedule, now);
        if (check.Status is not { } status)
        {
            _logger.ScheduleEnded(FunctionName);
            await Task.Delay(Timeout.Infinite, scheduling);
            return;
        }
        if (check.ScheduleChanged) _logger.ScheduleChanged(FunctionName, status.Next);
        if (check.MustWrite) await _monitor.WriteAsync(status, scheduling);

        var onStartup = _registration.RunOnStartup && !_ranOnStartup;
        _ranOnStartup = true;
        if (check.PastDueOccurrence is { } missed)
        {
            // However many occurrences passed while no instance ran the timer, one run catches them up (Functions' IsPastDue).
            _logger.PastDue(FunctionName, missed, now);
            status = await RunAndRecordAsync(status, scheduled: missed, since: now, isPastDue: true, onStartup: false, lost);
        }
        else if (onStartup)
        {
            status = await RunAndRecordAsync(status, scheduled: now, since: now, isPastDue: false, onStartup: true, lost);
        }

        while (true)
        {
            var due = status.Next;
            Interlocked.Exchange(ref _waitingForTicks, due.UtcTicks);
            try
            {
                await WaitUntilAsync(due, scheduling);
            }
            finally
            {
                Interlocked.Exchange(ref _waitingForTicks, 0);
            }
            var firedAt = _time.GetUtcNow();
            // Occurrences that passed while a run outlasted the interval are not run one by one: the latest one stands for them.
            var scheduled = due;
            var skipped = 0;
            while (_schedule.GetNextOccurrence(scheduled) is { } later && later <= firedAt)
            {
                scheduled = later;
                skipped++;
            }
            if (skipped > 0) _logger.OccurrencesSkipped(FunctionName, skipped, scheduled);
            status = await RunAndRecordAsync(status, scheduled, since: scheduled, isPastDue: skipped > 0, onStartup: false, lost);
        }
    }

    /// <summary>
    /// Runs the function once and records the run; <paramref name="since"/> is the time the next occurrence is counted
    /// from (the occurrence itself, or now for a catch-up or startup run), which becomes the status's Last.
    /// </summary>
    private async Task<ScheduleStatus> RunAndRecordAsync(ScheduleStatus status, DateTimeOffset scheduled, DateTimeOffset since, bool isPastDue,
        bool onStartup, CancellationTokenSource lost)
    {
        var next = _schedule.GetNextOccurrence(since);
        var info = new TimerTriggerInfo(FunctionName, scheduled, status.Last, next, isPastDue);
        await InvokeAsync(info, onStartup, lost);
        if (next is not { } nextOccurrence)
        {
            _logger.ScheduleEnded(FunctionName);
            await Task.Delay(Timeout.Infinite, _stopping.Token);
            return status;
        }
        var recorded = new ScheduleStatus(since, nextOccurrence, _time.GetUtcNow());
        // Not cancelled by a graceful stop: a run that happened must be recorded, or the next holder would run it again.
        await _monitor.WriteAsync(recorded, _abort.Token);
        return recorded;
    }

    private async Task InvokeAsync(TimerTriggerInfo info, bool onStartup, CancellationTokenSource lost)
    {
        // A renewal right before the run proves the lease is still ours even if this process was paused for a while;
        // without it a frozen holder could wake up and run an occurrence its successor already ran.
        await ConfirmLeaseAsync(lost);

        using var activity = TimerTriggerTelemetry.ActivitySource.StartActivity("timer " + FunctionName, ActivityKind.Internal);
        activity?.SetTag("faas.trigger", "timer");
        activity?.SetTag("faas.name", FunctionName);
        activity?.SetTag("push.timer.scheduled_time", info.ScheduledTime.ToString("O"));
        activity?.SetTag("push.timer.past_due", info.IsPastDue);

        using var timeout = _hostOptions.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, _abort.Token, timeout.Token);
        _logger.RunStarting(FunctionName, info.ScheduledTime, info.IsPastDue, onStartup);
        var started = _time.GetTimestamp();
        string outcome;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var function = (ITimerTriggeredFunction)scope.ServiceProvider.GetRequiredService(_registration.FunctionType);
            await function.RunAsync(info, run.Token);
            outcome = "succeeded";
            _logger.RunSucceeded(FunctionName, info.ScheduledTime, _time.GetElapsedTime(started), info.NextRun);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested || _abort.IsCancellationRequested)
        {
            // Cut short by losing the lease or by the end of the grace period: not recorded, so whoever runs the timer
            // next catches it up (at least once rather than at most once).
            _telemetry.Ran(FunctionName, "cancelled", info.IsPastDue, _time.GetElapsedTime(started));
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = "timed_out";
            _logger.RunFailed(FunctionName, info.ScheduledTime, "FunctionTimeout", nameof(OperationCanceledException), info.NextRun);
        }
        catch (Exception ex)
        {
            // The type only: an exception message may carry a token, a key or a response body.
            outcome = "failed";
            _logger.RunFailed(FunctionName, info.ScheduledTime, "Exception", ex.GetType().FullName ?? ex.GetType().Name, info.NextRun);
        }
        if (outcome != "succeeded") activity?.SetStatus(ActivityStatusCode.Error, outcome);
        activity?.SetTag("push.timer.outcome", outcome);
        _telemetry.Ran(FunctionName, outcome, info.IsPastDue, _time.GetElapsedTime(started));
    }

    private async Task ConfirmLeaseAsync(CancellationTokenSource lost)
    {
        lost.Token.ThrowIfCancellationRequested();
        try
        {
            await _lease.RenewAsync(lost.Token);
            Volatile.Write(ref _lastRenewed, LeaseClock.GetTimestamp());
        }
        catch (RequestFailedException ex) when (TimerLease.IsLost(ex))
        {
            LoseLease(lost, "renewal refused before a run (" + ex.ErrorCode + ")");
            lost.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Renews every third of the lease; on refusal, or once the lease would have lapsed, declares it lost.</summary>
    private async Task RenewAsync(CancellationTokenSource lost, CancellationToken holding)
    {
        var wait = _options.LeaseRenewInterval;
        while (true)
        {
            if (!await DelayAsync(wait, LeaseClock, holding)) return;
            try
            {
                await _lease.RenewAsync(holding);
                Volatile.Write(ref _lastRenewed, LeaseClock.GetTimestamp());
                wait = _options.LeaseRenewInterval;
            }
            catch (OperationCanceledException) when (holding.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (TimerLease.IsLost(ex))
            {
                LoseLease(lost, "renewal refused (" + ex.ErrorCode + ")");
                return;
            }
            catch (Exception ex)
            {
                var (status, code) = Describe(ex);
                _logger.LeaseRenewalFailed(FunctionName, ex.GetType().Name, status, code);
                if (LeaseClock.GetElapsedTime(Volatile.Read(ref _lastRenewed)) >= _options.LeaseDuration - LeaseSafetyMargin)
                {
                    LoseLease(lost, "not renewed within the lease duration");
                    return;
                }
                wait = RenewalRetry;
            }
        }
    }

    private void LoseLease(CancellationTokenSource lost, string reason)
    {
        if (lost.IsCancellationRequested) return;
        _holdsLease = false;
        _telemetry.Lease(FunctionName, "lost");
        _logger.LeaseLost(FunctionName, reason);
        lost.Cancel();
    }

    private async Task<bool> ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            await _lease.ReleaseAsync(timeout.Token);
            _telemetry.Lease(FunctionName, "released");
            _logger.LeaseReleased(FunctionName);
            return true;
        }
        catch (Exception ex)
        {
            var (status, _) = Describe(ex);
            _logger.LeaseReleaseFailed(FunctionName, ex.GetType().Name, status);
            return false;
        }
    }

    /// <summary>Waits on the schedule's clock until <paramref name="due"/>; a simulated clock moves it by being advanced.</summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = due - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero) return;
            await Task.Delay(remaining < LongestWait ? remaining : LongestWait, _time, cancellationToken);
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, clock, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static (int Status, string? ErrorCode) Describe(Exception ex) =>
        ex is RequestFailedException failed ? (failed.Status, failed.ErrorCode) : (0, null);
}
