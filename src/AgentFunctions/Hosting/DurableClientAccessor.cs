using Microsoft.DurableTask.Client;

namespace AgentFunctions.Hosting;

/// <summary>
/// The Durable client of the function invocation that is running. The isolated worker hands a
/// <see cref="DurableTaskClient"/> to each function through its <c>[DurableClient]</c> binding (there is no
/// client in the DI container), while the API's engine is a singleton: each trigger opens a scope with
/// <see cref="Use"/> for the duration of its call, and the engine reads <see cref="Current"/>.
/// </summary>
public sealed class DurableClientAccessor
{
    private readonly AsyncLocal<DurableTaskClient?> _current = new();

    /// <summary>The client of the current invocation.</summary>
    /// <exception cref="InvalidOperationException">No trigger opened a scope on this call path.</exception>
    public DurableTaskClient Current => _current.Value
        ?? throw new InvalidOperationException("No Durable client is in scope: the function must take a [DurableClient] binding and call DurableClientAccessor.Use.");

    public DurableTaskClient? TryGetCurrent() => _current.Value;

    public IDisposable Use(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var previous = _current.Value;
        _current.Value = client;
        return new Scope(this, previous);
    }

    private sealed class Scope(DurableClientAccessor owner, DurableTaskClient? previous) : IDisposable
    {
        public void Dispose() => owner._current.Value = previous;
    }
}
