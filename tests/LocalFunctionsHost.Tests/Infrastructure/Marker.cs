namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>A marker the sample app wrote (see tests/LocalFunctionsHost.SampleApp/MarkerWriter.cs).</summary>
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
    bool? IsPastDue,
    DateTime? ScheduleLast,
    DateTime? ScheduleNext,
    string? PopReceipt,
    DateTimeOffset? At);
