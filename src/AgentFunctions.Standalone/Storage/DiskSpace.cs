using System.Globalization;
using AgentFunctions.Api.Engine;
using AgentFunctions.Standalone.Logging;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Free space on the data directory's filesystem against <see cref="StandaloneOptions.MinFreeBytes"/>: below it the
/// engine refuses new work (507), pauses local attempts and leases, and reports unhealthy, before a commit can hit
/// "disk full"; above it again, all of that lifts by itself. The figure is read at most every quarter second
/// (statvfs), so checking it on every submit costs nothing.
/// </summary>
public sealed class DiskSpace
{
    /// <summary>SQLite's result code for "database or disk is full".</summary>
    public const int SqliteFull = 13;

    private static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    private readonly StandaloneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DiskSpace> _logger;
    private readonly string _directory;
    private readonly Lock _lock = new();
    private long _free = long.MaxValue;
    private long _readAt;
    private bool _read;
    private bool _low;

    public DiskSpace(StandaloneOptions options, TimeProvider time, ILogger<DiskSpace> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;
        _directory = Path.GetFullPath(options.DataDirectory);
    }

    /// <summary>Bytes free for this user on the data directory's filesystem.</summary>
    public long FreeBytes
    {
        get
        {
            Read(force: false);
            return Volatile.Read(ref _free);
        }
    }

    /// <summary>Below the minimum: new work is refused. Never true with <c>MinFreeBytes</c> 0.</summary>
    public bool IsLow
    {
        get
        {
            Read(force: false);
            return Volatile.Read(ref _low);
        }
    }

    /// <summary>Reads the free space now (after a write failed for lack of it).</summary>
    public void Refresh() => Read(force: true);

    /// <summary>Refuses new work while space is below the minimum, naming the directory and the space left.</summary>
    public void ThrowIfLow()
    {
        if (IsLow)
        {
            throw new InsufficientStorageException(string.Create(CultureInfo.InvariantCulture,
                $"the data directory {_directory} has {Volatile.Read(ref _free)} bytes free, less than {StandaloneOptions.SectionName}:MinFreeBytes ({_options.MinFreeBytes}); new work is refused until space is freed"));
        }
    }

    /// <summary>The answer for the callers of a commit that failed because the disk is full.</summary>
    public InsufficientStorageException CommitFailed(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        return new InsufficientStorageException(string.Create(CultureInfo.InvariantCulture,
            $"the disk of the data directory {_directory} is full ({FreeBytes} bytes free): the change was not stored. Try again once space is freed"), cause);
    }

    /// <summary>Why health is unhealthy, without the path (health needs no key); null when there is room.</summary>
    public string? HealthProblem() => IsLow
        ? string.Create(CultureInfo.InvariantCulture, $"{Mebibytes(Volatile.Read(ref _free))} MiB free on the data directory's disk, below the minimum of {Mebibytes(_options.MinFreeBytes)} MiB: new work is refused")
        : null;

    /// <summary>Waits (checking every half second) until there is room again.</summary>
    public async Task WhenRoomAsync(CancellationToken cancellationToken)
    {
        while (IsLow)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), _time, cancellationToken);
        }
    }

    private static string Mebibytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private void Read(bool force)
    {
        var now = _time.GetTimestamp();
        if (!force && Volatile.Read(ref _read) && _time.GetElapsedTime(Volatile.Read(ref _readAt), now) < MaxAge)
        {
            return;
        }

        lock (_lock)
        {
            if (!force && _read && _time.GetElapsedTime(_readAt, now) < MaxAge)
            {
                return;
            }

            long free;
            try
            {
                free = new DriveInfo(_directory).AvailableFreeSpace;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // The figure cannot be had: do not refuse work on a guess.
                free = long.MaxValue;
            }

            var low = _options.MinFreeBytes > 0 && free < _options.MinFreeBytes;
            if (low != _low)
            {
                if (low)
                {
                    _logger.DiskSpaceLow(_directory, free, _options.MinFreeBytes);
                }
                else
                {
                    _logger.DiskSpaceRecovered(_directory, free);
                }
            }

            Volatile.Write(ref _free, free);
            Volatile.Write(ref _low, low);
            Volatile.Write(ref _readAt, now);
            Volatile.Write(ref _read, true);
        }
    }
}
