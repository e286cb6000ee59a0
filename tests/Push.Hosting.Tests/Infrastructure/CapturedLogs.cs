using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>Keeps every formatted log line (and exception text) so a test can check what was logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Text)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((eventId.Id, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
