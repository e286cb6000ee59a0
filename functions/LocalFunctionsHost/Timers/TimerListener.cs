using System.Text;
using System.Text.Json;
using Azure;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Timers;

/// <summary>
/// One timer-triggered function: tries to take its blob lease; while it holds it, keeps it renewed, catches up a missed
/// occurrence once (<c>IsPastDue</c>), runs <c>runOnStartup</c> once, runs the schedule, and records each run in the
/// schedule status (unless <c>useMonitor</c> is false); when it loses the lease it goes back to trying.
/// </summary>
/// <remarks>
/// Two clocks, kept apart from the old runtime: the schedule follows <see cref="_time"/>, the lease real time, because
/// the storage service expires a lease on its own wall clock.
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

    private readonly FunctionDescriptor _function;
    private readonly TimerTrigger _trigger;
    private readonly TimerSchedule _schedule;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeSpan _leaseAcquireInterval;
    private readonly TimerLease _lease;
    private readonly ScheduleMonitor _monitor;
    private readonly FunctionInvoker _invoker;
    private readonly ILogger _logger;
    private readonly TimeProvider _time = TimeProvider.System;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _abandoned;
    private volatile bool _holdsLease;
    private bool _ranOnStartup;
    private long _lastRenewed;
    private long _waitingForTicks;
    private Task _loop = Task.CompletedTask;

    public TimerListener(FunctionDescriptor function, HostSettings settings, TimerLease lease, ScheduleMonitor monitor, FunctionInvoker invoker,
        ILogger logger)
    {
        _function = function;
        _trigger = function.Timer ?? throw new ArgumentException("not a timer-triggered function", nameof(function));
        _schedule = _trigger.Schedule;
        _leaseDuration = settings.TimerLeaseDuration;
        _leaseAcquireInterval = settings.TimerLeaseAcquireInterval;
        _lease = lease;
        _monitor = monitor;
        _invoker = invoker;
        _logger = logger;
    }

    public string FunctionName => _function.Name;

    /// <summary>Renewing at a third leaves two more chances before the lease runs out.</summary>
    private TimeSpan LeaseRenewInterval => _leaseDuration / 3;

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
        _logger.TimerStarted(FunctionName, _schedule.Expression, _trigger.RunOnStartup, _leaseDuration);
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
                if (!await DelayAsync(_leaseAcquireInterval, LeaseClock, _stopping.Token)) break;
                continue;
            }

            Volatile.Write(ref _lastRenewed, LeaseClock.GetTimestamp());
            _holdsLease = true;
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
            if (retryPause && !await DelayAsync(_leaseAcquireInterval, LeaseClock, _stopping.Token)) break;
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
        var now = _time.GetUtcNow();
        ScheduleCheck check;
        if (_trigger.UseMonitor)
        {
            var (read, unreadable) = await _monitor.ReadAsync(scheduling);
            if (unreadable) _logger.StatusUnreadable(FunctionName, "JsonException");
            check = ScheduleMonitor.Evaluate(read, _schedule, now);
        }
        else
        {
            // useMonitor false: no status kept, so nothing is past due; the schedule starts from now.
            check = _schedule.GetNextOccurrence(now) is { } first
                ? new ScheduleCheck(new ScheduleStatus(null, first, now), MustWrite: false, PastDueOccurrence: null, ScheduleChanged: false)
                : new ScheduleCheck(null, MustWrite: false, PastDueOccurrence: null, ScheduleChanged: false);
        }
        if (check.Status is not { } status)
        {
            _logger.ScheduleEnded(FunctionName);
            await Task.Delay(Timeout.Infinite, scheduling);
            return;
        }
        if (check.ScheduleChanged) _logger.ScheduleChanged(FunctionName, status.Next);
        if (check.MustWrite) await _monitor.WriteAsync(status, scheduling);

        var onStartup = _trigger.RunOnStartup && !_ranOnStartup;
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
        await InvokeAsync(status, scheduled, isPastDue, onStartup, lost);
        if (next is not { } nextOccurrence)
        {
            _logger.ScheduleEnded(FunctionName);
            await Task.Delay(Timeout.Infinite, _stopping.Token);
            return status;
        }
        var recorded = new ScheduleStatus(since, nextOccurrence, _time.GetUtcNow());
        // Not cancelled by a graceful stop: a run that happened must be recorded, or the next holder would run it again.
        if (_trigger.UseMonitor) await _monitor.WriteAsync(recorded, _abort.Token);
        return recorded;
    }

    private async Task InvokeAsync(ScheduleStatus status, DateTimeOffset scheduled, bool isPastDue, bool onStartup, CancellationTokenSource lost)
    {
        // A renewal right before the run proves the lease is still ours even if this process was paused for a while;
        // without it a frozen holder could wake up and run an occurrence its successor already ran.
        await ConfirmLeaseAsync(lost);

        using var run = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, _abort.Token);
        _logger.RunStarting(FunctionName, scheduled, isPastDue, onStartup);
        var started = _time.GetTimestamp();
        var input = TimerInput(_trigger.UseMonitor ? status : null, isPastDue);
        var result = await _invoker.InvokeAsync(_function, onStartup ? "Timer fired at startup" : isPastDue ? "Timer fired, past due" : "Timer fired",
            request => request.InputData.Add(new ParameterBinding { Name = _trigger.ParameterName, Data = new TypedData { Json = input } }), run.Token);
        switch (result.Outcome)
        {
            case InvocationOutcome.Succeeded:
                _logger.RunSucceeded(FunctionName, scheduled, _time.GetElapsedTime(started), _schedule.GetNextOccurrence(scheduled));
                break;
            case InvocationOutcome.Cancelled:
                // Cut short by losing the lease or by the end of the grace period: not recorded, so whoever runs the
                // timer next catches it up (at least once rather than at most once).
                throw new OperationCanceledException(run.Token);
            default:
                // Functions does not retry a timer run: the failure is logged (type only) and the schedule goes on.
                _logger.RunFailed(FunctionName, scheduled, result.OutcomeName, result.ExceptionType ?? "", _schedule.GetNextOccurrence(scheduled));
                break;
        }
    }

    /// <summary>The timer input as the Functions host sends it: <c>{Schedule, ScheduleStatus{Last, Next, LastUpdated}, IsPastDue}</c>.</summary>
    internal static string TimerInput(ScheduleStatus? status, bool isPastDue)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Schedule");
            writer.WriteBoolean("AdjustForDST", true);
            writer.WriteEndObject();
            if (status is null)
            {
                writer.WriteNull("ScheduleStatus");
            }
            else
            {
                writer.WriteStartObject("ScheduleStatus");
                if (status.Last is { } last) writer.WriteString("Last", last);
                else writer.WriteString("Last", DateTimeOffset.MinValue);
                writer.WriteString("Next", status.Next);
                writer.WriteString("LastUpdated", status.LastUpdated);
                writer.WriteEndObject();
            }
            writer.WriteBoolean("IsPastDue", isPastDue);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
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
        var wait = LeaseRenewInterval;
        while (true)
        {
            if (!await DelayAsync(wait, LeaseClock, holding)) return;
            try
            {
                await _lease.RenewAsync(holding);
                Volatile.Write(ref _lastRenewed, LeaseClock.GetTimestamp());
                wait = LeaseRenewInterval;
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
                if (LeaseClock.GetElapsedTime(Volatile.Read(ref _lastRenewed)) >= _leaseDuration - LeaseSafetyMargin)
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
        _logger.LeaseLost(FunctionName, reason);
        lost.Cancel();
    }

    private async Task<bool> ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            await _lease.ReleaseAsync(timeout.Token);
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
