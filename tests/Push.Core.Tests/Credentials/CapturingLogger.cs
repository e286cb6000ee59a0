using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Push.Core.Tests.Credentials;

/// <summary>Keeps every formatted log line so tests can assert on levels, event ids and the absence of secrets.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " | " + exception)));

    public string AllText => string.Join("\n", Entries.Select(e => e.Message));
}
