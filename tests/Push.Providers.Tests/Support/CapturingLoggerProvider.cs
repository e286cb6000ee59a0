using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Push.Providers.Tests.Support;

/// <summary>Keeps every formatted log line (with exception text) so tests can check no secret leaks.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Text)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public ILogger<T> CreateLogger<T>() => new LoggerFactory([this]).CreateLogger<T>();

    public string AllText => string.Join("\n", Lines.Select(l => l.Text));

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (exception is not null)
            {
                text += " | " + exception;
            }
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " | " + string.Join(";", values.Select(v => $"{v.Key}={v.Value}"));
            }
            owner.Lines.Enqueue((eventId, logLevel, text));
        }
    }
}
