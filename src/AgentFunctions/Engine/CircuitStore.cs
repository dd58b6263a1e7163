using System.Collections.Concurrent;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Roles;
using AgentFunctions.Logging;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Engine;

/// <summary>
/// The roles' circuit breakers of the Functions app, shared by every instance of the app: one blob per role
/// (<c>circuits/&lt;role&gt;.json</c> in the artifacts container) holding a <see cref="CircuitState"/>, changed only with
/// an ETag compare-and-swap, so that exactly one caller takes a half-open breaker's probe and no outcome is lost to a
/// concurrent write. To keep the blob from becoming every attempt's hot spot, an instance reads it at most once per
/// <see cref="FreshFor"/> while the breaker is closed, and folds its successes into it at most that often; failures,
/// probes and every change of status are written at once. Activities (inline attempts, dispatches) and the lease API
/// call it; orchestrations never do (they stay deterministic).
/// </summary>
public sealed class CircuitStore(BlobServiceClient blobs, RoleCatalog roles, TimeProvider time, ILogger<CircuitStore> logger)
{
    /// <summary>How long a read state (and a batch of successes) may wait before the blob is read (written) again.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    private const int MaxTries = 8;

    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingSuccesses> _pending = new(StringComparer.Ordinal);

    public static string PathOf(string role) => $"circuits/{role}.json";

    /// <summary>Whether an attempt of <paramref name="role"/> may start now (taking the probe slot of a half-open breaker).</summary>
    public async Task<CircuitAdmission> AdmitAsync(string role, CancellationToken cancellationToken)
    {
        if (roles.Find(role) is not { } definition || !definition.CircuitBreaker.Enabled)
        {
            return new CircuitAdmission(CircuitVerdict.Admitted, CircuitState.Initial, null);
        }

        var now = time.GetUtcNow();
        if (Fresh(role, now) is { Status: CircuitStatus.Closed } closed)
        {
            return new CircuitAdmission(CircuitVerdict.Admitted, closed, null);
        }

        var options = definition.CircuitBreaker;
        CircuitAdmission? admission = null;
        await ChangeAsync(role, state =>
        {
            admission = CircuitBreaker.Admit(state, options, time.GetUtcNow(), ProbeTimeout(definition));
            return admission.State;
        }, cancellationToken);
        return admission!;
    }

    /// <summary>Until when the breaker holds every attempt of <paramref name="role"/> (read-only, from a state at most <see cref="FreshFor"/> old); null when one may start.</summary>
    public async Task<DateTimeOffset?> HoldsUntilAsync(string role, CancellationToken cancellationToken)
    {
        if (roles.Find(role) is not { } definition || !definition.CircuitBreaker.Enabled)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var state = Fresh(role, now) ?? (await ReadAsync(role, cancellationToken)).State;
        return state.Status switch
        {
            CircuitStatus.Open when state.OpenUntil is { } until && now < until => until,
            CircuitStatus.HalfOpen when state.ProbeStartedAt is { } started && now - started < ProbeTimeout(definition) => now + definition.CircuitBreaker.BreakDuration,
            _ => null,
        };
    }

    /// <summary>Counts how an attempt ended; <paramref name="probe"/>: it was the half-open breaker's probe.</summary>
    public async Task RecordAsync(string role, CircuitOutcome outcome, bool probe, CancellationToken cancellationToken)
    {
        if (roles.Find(role) is not { } definition)
        {
            return;
        }

        var now = time.GetUtcNow();
        var pending = _pending.GetOrAdd(role, _ => new PendingSuccesses());
        if (outcome == CircuitOutcome.Success && !probe && Fresh(role, now) is { Status: CircuitStatus.Closed } && !pending.Due(now))
        {
            pending.Add(now);
            return;
        }

        if (outcome == CircuitOutcome.Success && !probe)
        {
            pending.Add(now);
        }

        var successes = pending.Take();
        var options = definition.CircuitBreaker;
        CircuitTransition transition = CircuitTransition.None;
        try
        {
            await ChangeAsync(role, state =>
            {
                var changed = state;
                foreach (var at in successes)
                {
                    changed = CircuitBreaker.Record(changed, options, at, CircuitOutcome.Success, probe: false).State;
                }

                if (outcome != CircuitOutcome.Success || probe)
                {
                    var change = CircuitBreaker.Record(changed, options, now, outcome, probe);
                    transition = change.Transition;
                    changed = change.State;
                }

                return changed;
            }, cancellationToken);
        }
        catch
        {
            pending.Restore(successes);
            throw;
        }

        if (transition is CircuitTransition.Opened or CircuitTransition.Reopened)
        {
            logger.CircuitOpened(role);
        }
        else if (transition == CircuitTransition.Closed)
        {
            logger.CircuitClosed(role);
        }
    }

    /// <summary>Gives an unused probe slot back (a probe lease found no work).</summary>
    public Task ReleaseProbeAsync(string role, CancellationToken cancellationToken) =>
        ChangeAsync(role, CircuitBreaker.ReleaseProbe, cancellationToken);

    /// <summary>The breaker of each configured role as stored now (for metrics and health).</summary>
    public async Task<IReadOnlyDictionary<string, CircuitState>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, CircuitState>(StringComparer.Ordinal);
        foreach (var role in roles.All)
        {
            states[role.Name] = (await ReadAsync(role.Name, cancellationToken)).State;
        }

        return states;
    }

    /// <summary>A probe holds the half-open slot for at most the longest it can legitimately run, and a break.</summary>
    private static TimeSpan ProbeTimeout(RoleDefinition role) =>
        (role.Runner == RunnerKind.Remote ? role.LeaseDuration : role.Timeout) + role.CircuitBreaker.BreakDuration;

    private CircuitState? Fresh(string role, DateTimeOffset now) =>
        _cache.TryGetValue(role, out var cached) && now - cached.ReadAt < FreshFor ? cached.State : null;

    /// <summary>Reads the role's blob (a closed breaker when there is none yet).</summary>
    private async Task<(CircuitState State, ETag? ETag)> ReadAsync(string role, CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(PathOf(role));
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            var state = Parse(content.Value.Content) ?? CircuitState.Initial;
            _cache[role] = new Cached(state, time.GetUtcNow());
            return (state, content.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            _cache[role] = new Cached(CircuitState.Initial, time.GetUtcNow());
            return (CircuitState.Initial, null);
        }
    }

    /// <summary>Read, change, write only if nobody wrote in between; again from the read when somebody did.</summary>
    private async Task ChangeAsync(string role, Func<CircuitState, CircuitState> change, CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(PathOf(role));
        for (var attempt = 1; ; attempt++)
        {
            var (state, etag) = await ReadAsync(role, cancellationToken);
            var changed = change(state);
            if (changed == state)
            {
                return;
            }

            var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(changed, CoreJson.Options), new BlobUploadOptions { Conditions = conditions }, cancellationToken);
                _cache[role] = new Cached(changed, time.GetUtcNow());
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxTries)
            {
                // Another instance changed it first: read it again and apply the change to what it wrote.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), time, cancellationToken);
            }
        }
    }

    private BlobContainerClient Container => blobs.GetBlobContainerClient(Hosting.StorageNames.ArtifactsContainer);

    private static CircuitState? Parse(BinaryData content)
    {
        try
        {
            return content.ToObjectFromJson<CircuitState>(CoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Cached(CircuitState State, DateTimeOffset ReadAt);

    /// <summary>Successes this instance has not written yet, with when each happened.</summary>
    private sealed class PendingSuccesses
    {
        private readonly Lock _lock = new();
        private List<DateTimeOffset> _times = [];
        private DateTimeOffset _since = DateTimeOffset.MinValue;

        public bool Due(DateTimeOffset now)
        {
            lock (_lock)
            {
                return _times.Count > 0 && now - _since >= FreshFor;
            }
        }

        public void Add(DateTimeOffset at)
        {
            lock (_lock)
            {
                if (_times.Count == 0)
                {
                    _since = at;
                }

                _times.Add(at);
            }
        }

        public List<DateTimeOffset> Take()
        {
            lock (_lock)
            {
                var taken = _times;
                _times = [];
                return taken;
            }
        }

        public void Restore(List<DateTimeOffset> times)
        {
            lock (_lock)
            {
                _times.InsertRange(0, times);
            }
        }
    }
}
