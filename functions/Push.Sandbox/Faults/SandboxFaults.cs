using Push.Sandbox.Apns;
using Push.Sandbox.Fcm;
using Push.Sandbox.OAuth;

namespace Push.Sandbox;

/// <summary>The faults currently injected; the first matching fault wins.</summary>
public sealed class SandboxFaults
{
    /// <summary>Ten minutes: longer than any client here waits.</summary>
    public const int MaxDelayMs = 600_000;

    private readonly object _gate = new();
    private readonly List<ActiveFault> _faults = [];

    /// <summary>Adds a fault; a Reject fault's reason must be one the provider really answers with.</summary>
    public void Add(SandboxFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.Kind == SandboxFaultKind.Reject)
        {
            var known = fault.Reason is not null && fault.Provider switch
            {
                SandboxProvider.Apns => ApnsReasons.IsKnown(fault.Reason),
                SandboxProvider.Fcm => FcmErrors.IsKnown(fault.Reason),
                _ => OAuthErrors.IsKnown(fault.Reason),
            };
            if (!known)
            {
                throw new ArgumentException($"'{fault.Reason}' is not a {fault.Provider} rejection reason the sandbox knows.", nameof(fault));
            }
        }
        if (fault.Times is <= 0) throw new ArgumentException("Times must be positive when set.", nameof(fault));
        if (fault.Kind == SandboxFaultKind.Delay ? fault.DelayMs is not (> 0 and <= MaxDelayMs) : fault.DelayMs is not null)
        {
            throw new ArgumentException($"DelayMs is required for a delay fault (1 to {MaxDelayMs}) and only for one.", nameof(fault));
        }
        lock (_gate) _faults.Add(new ActiveFault(fault, fault.Times));
    }

    public void Clear()
    {
        lock (_gate) _faults.Clear();
    }

    /// <summary>The faults in force, in the order they are matched, each with how many requests it still applies to.</summary>
    public IReadOnlyList<ActiveSandboxFault> Snapshot()
    {
        lock (_gate) return _faults.Select(a => new ActiveSandboxFault(a.Fault, a.Remaining)).ToList();
    }

    /// <summary>The fault to apply to this request, consuming one of its <see cref="SandboxFault.Times"/>.</summary>
    internal SandboxFault? Take(SandboxProvider provider, string deviceToken)
    {
        lock (_gate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var active = _faults[i];
                if (active.Fault.Provider != provider) continue;
                if (active.Fault.DeviceToken is not null && !string.Equals(active.Fault.DeviceToken, deviceToken, StringComparison.Ordinal)) continue;
                if (active.Remaining is not null)
                {
                    active.Remaining--;
                    if (active.Remaining == 0) _faults.RemoveAt(i);
                }
                return active.Fault;
            }
            return null;
        }
    }

    private sealed class ActiveFault(SandboxFault fault, int? remaining)
    {
        public SandboxFault Fault { get; } = fault;
        public int? Remaining { get; set; } = remaining;
    }
}

/// <summary>A fault in force: <paramref name="Remaining"/> is how many more requests it applies to (null: until cleared).</summary>
public sealed record ActiveSandboxFault(SandboxFault Fault, int? Remaining);
