namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// The request body bytes the server holds at once, all requests together (<see cref="StandaloneOptions.MaxInFlightBodyBytes"/>).
/// A body that does not fit is refused rather than waited for, so a burst of large results costs a bounded amount of
/// memory; one body larger than the whole budget still gets in when nothing else is held, so no valid request is refused
/// forever.
/// </summary>
public sealed class BodyBudget(StandaloneOptions options)
{
    private readonly Lock _lock = new();
    private long _held;

    public long Limit { get; } = options?.MaxInFlightBodyBytes ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Bytes held by requests being served now.</summary>
    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> from the budget; false when they do not fit now.</summary>
    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (_held > 0 && _held + bytes > Limit)
            {
                return false;
            }

            _held += bytes;
            return true;
        }
    }

    /// <summary>Gives <paramref name="bytes"/> back; returns what is still held.</summary>
    public long Release(long bytes)
    {
        lock (_lock)
        {
            _held -= bytes;
            return _held;
        }
    }
}
