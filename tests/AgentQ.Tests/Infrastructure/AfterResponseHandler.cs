namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// The real network stack, plus a hook that runs once a response has been read in full and before agentq sees
/// it: lets a test make something happen exactly between the server's answer and the tool's next step.
/// </summary>
internal sealed class AfterResponseHandler(Func<HttpRequestMessage, HttpResponseMessage, Task> after) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        await after(request, response);
        return response;
    }
}
