using AgentFunctions.Api.Http;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace AgentFunctions.Http;

/// <summary>
/// The management payload of a submit, with the Durable URLs from the Durable client itself
/// (<c>CreateHttpManagementPayload</c>): the host's webhook base URL and the query string that carries the
/// task hub, connection and system key. The task API's own links come from the request's origin.
/// </summary>
public sealed class DurableManagementUrls(DurableClientAccessor clients) : IManagementUrls
{
    private readonly OriginManagementUrls _origin = new();

    public ManagementPayload Create(string taskId, HttpRequest request)
    {
        var payload = _origin.Create(taskId, request);
        if (clients.TryGetCurrent() is not { } client)
        {
            return payload;
        }

        HttpManagementPayload durable;
        try
        {
            durable = client.CreateHttpManagementPayload(taskId);
        }
        catch (InvalidOperationException)
        {
            // A client without the binding's base URL (not created by the [DurableClient] binding): use the request's origin.
            return payload;
        }

        return payload with
        {
            StatusQueryGetUri = durable.StatusQueryGetUri ?? payload.StatusQueryGetUri,
            SendEventPostUri = durable.SendEventPostUri ?? payload.SendEventPostUri,
            TerminatePostUri = durable.TerminatePostUri ?? payload.TerminatePostUri,
            PurgeHistoryDeleteUri = durable.PurgeHistoryDeleteUri ?? payload.PurgeHistoryDeleteUri,
            SuspendPostUri = durable.SuspendPostUri ?? payload.SuspendPostUri,
            ResumePostUri = durable.ResumePostUri ?? payload.ResumePostUri,
        };
    }
}
