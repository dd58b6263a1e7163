using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Api.Engine;

/// <summary>What the API needs from an engine about dead letters: list, read, replay and delete.</summary>
public interface IDeadLetterEngine
{
    Task<Page<DeadLetterRecord>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken);

    Task<DeadLetterRecord?> GetDeadLetterAsync(string id, CancellationToken cancellationToken);

    /// <summary>Submits a new task for the dead-lettered role and links both ways.</summary>
    Task<ReplayResult> ReplayDeadLetterAsync(string id, CancellationToken cancellationToken);

    Task<bool> DeleteDeadLetterAsync(string id, CancellationToken cancellationToken);
}
