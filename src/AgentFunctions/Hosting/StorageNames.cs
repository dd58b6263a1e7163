using AgentFunctions.Core.Storage;

namespace AgentFunctions.Hosting;

/// <summary>The blob containers and queues the app uses; infrastructure creates the same names.</summary>
public static class StorageNames
{
    /// <summary>The app setting (and its <c>__</c> children) that names the storage account.</summary>
    public const string Connection = "AzureWebJobsStorage";

    public const string ArtifactsContainer = ArtifactLayout.Container;

    public const string DeadLetterContainer = ArtifactLayout.DeadLetterContainer;

    /// <summary>Coordinators may enqueue task specs here instead of calling <c>POST /api/tasks</c>.</summary>
    public const string IntakeQueue = "agent-tasks";

    /// <summary>Where the Functions runtime moves intake messages that exhausted <c>maxDequeueCount</c>.</summary>
    public const string IntakePoisonQueue = IntakeQueue + "-poison";

    public const string WorkQueuePrefix = "work-";

    /// <summary>What every work queue's name starts with (the role's own and its routed ones, see <see cref="WorkRoute"/>).</summary>
    public const string WorkRoutePrefix = "work";

    /// <summary>The queue remote workers of <paramref name="role"/> lease attempts from.</summary>
    public static string WorkQueue(string role) => WorkQueuePrefix + role;

    /// <summary>
    /// Storage queue names are 3-63 characters of lowercase letters, digits and single hyphens, starting and
    /// ending with a letter or digit. Role names allow a trailing or doubled hyphen, which a queue does not.
    /// </summary>
    public static bool IsValidQueueName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        return name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
    }
}
