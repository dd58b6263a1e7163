using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// Keeps the last warnings and errors of a host in memory, so a test that times out can say what went wrong
/// without flooding every passing run's output.
/// </summary>
public sealed class RecentLog : ILoggerProvider
{
    private const int Capacity = 300;
    private readonly ConcurrentQueue<string> _lines = new();

    public LogLevel MinimumLevel { get; init; } = LogLevel.Warning;

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join(Environment.NewLine, _lines);

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecentLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
            owner.Add(exception is null ? line : line + " | " + exception.GetType().Name + ": " + exception.Message);
        }
    }
}
