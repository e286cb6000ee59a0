namespace Push.Bench;

/// <summary>One timed run of one peer: how many requests succeeded, how long it took, and per-request latency.</summary>
internal sealed record LoadResult(string Peer, int Requests, int Succeeded, double Seconds, double? P50Ms, double? P99Ms, string? Failure = null)
{
    public double PerSecond => Succeeded / Seconds;

    public bool Ok => Failure is null && Succeeded == Requests;

    public static (double P50, double P99) Percentiles(double[] latenciesMs)
    {
        if (latenciesMs.Length == 0) return (double.NaN, double.NaN);
        Array.Sort(latenciesMs);
        return (At(latenciesMs, 0.50), At(latenciesMs, 0.99));
    }

    private static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
