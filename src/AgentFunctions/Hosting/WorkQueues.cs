using Azure.Storage.Queues;

namespace AgentFunctions.Hosting;

/// <summary>The queues of the app: intake, its poison queue, and one work queue per remote role.</summary>
public class WorkQueues(QueueServiceClient service)
{
    public QueueServiceClient Service => service;

    public virtual QueueClient Intake => service.GetQueueClient(StorageNames.IntakeQueue);

    public virtual QueueClient IntakePoison => service.GetQueueClient(StorageNames.IntakePoisonQueue);

    public virtual QueueClient For(string role) => service.GetQueueClient(StorageNames.WorkQueue(role));
}
