namespace Push.Core.DeadLetters;

/// <summary>The counts of one triage run.</summary>
public sealed class DeadLetterTriageSummary
{
    private readonly Dictionary<DeadLetterClass, int> _archived = [];

    public int Replayed { get; private set; }
    public int Deferred { get; private set; }
    public int Failed { get; private set; }
    public IReadOnlyDictionary<DeadLetterClass, int> ArchivedByClass => _archived;
    public int Archived => _archived.Values.Sum();

    internal void Add(DeadLetterOutcome outcome, DeadLetterClass cls)
    {
        switch (outcome)
        {
            case DeadLetterOutcome.Replayed: Replayed++; break;
            case DeadLetterOutcome.Deferred: Deferred++; break;
            case DeadLetterOutcome.Failed: Failed++; break;
            case DeadLetterOutcome.Archived: _archived[cls] = _archived.GetValueOrDefault(cls) + 1; break;
        }
    }

    public override string ToString() =>
        $"replayed {Replayed}, archived {Archived} ({string.Join(", ", _archived.Select(kv => $"{kv.Key} {kv.Value}"))}), deferred {Deferred}, failed {Failed}";
}
