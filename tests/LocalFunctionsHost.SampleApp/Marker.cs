namespace LocalFunctionsHost.SampleApp;

/// <summary>What a function saw, as the tests read it back (they compile this file too).</summary>
public sealed record Marker(
    string Function,
    string Event,
    string? MessageId,
    long DequeueCount,
    string? Text,
    string Binding,
    string? InvocationId,
    int ProcessId,
    int Concurrency,
    string? Instance,
    string? Greeting,
    string? Override,
    bool? IsPastDue = null,
    DateTime? ScheduleLast = null,
    DateTime? ScheduleNext = null,
    string? PopReceipt = null,
    DateTimeOffset? At = null);
