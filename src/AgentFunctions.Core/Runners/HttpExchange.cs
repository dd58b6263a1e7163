using System.Globalization;
using AgentFunctions.Core.Logging;
using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// One request from a runner to the peer it calls (an agent's URL, a chat completions endpoint) under the role's
/// timeout, and the failures every such call shares: a non-success status (408, 429, 5xx transient; other 4xx
/// permanent), an answer over the role's <see cref="RoleDefinition.MaxOutputBytes"/>, a timeout and a peer that
/// cannot be reached. Each is logged naming the peer; only a 2xx body within the cap is left to the runner to read.
/// </summary>
internal sealed class HttpExchange(RoleDefinition role, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILogger logger, string peer)
{
    /// <summary>Sends <paramref name="request"/> to <paramref name="endpoint"/>; <paramref name="readAnswer"/> reads a 2xx body, <paramref name="failureDetail"/> picks what a failure quotes.</summary>
    public async Task<AgentResult> SendAsync(
        HttpRequestMessage request,
        Uri endpoint,
        AgentAttempt attempt,
        Func<string, AgentResult> readAnswer,
        Func<string, string?> failureDetail,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(role.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var client = httpClientFactory.CreateClient(AgentRunnerFactory.HttpClientName);
            // The role timeout governs, not HttpClient's 100 s default.
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await RunnerHttp.ReadBodyAsync(response, role.MaxOutputBytes, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.RunnerPeerFailedStatus(role.Name, attempt.TaskId, attempt.Attempt, peer, (int)response.StatusCode);
                return RunnerHttp.StatusFailure(response.StatusCode, endpoint, failureDetail(body.Text));
            }

            if (body.TooLarge)
            {
                logger.RunnerPeerAnswerTooLarge(role.Name, attempt.TaskId, attempt.Attempt, peer, role.MaxOutputBytes);
                return AgentResult.Failed(
                    string.Create(CultureInfo.InvariantCulture, $"response too large: {RunnerHttp.Describe(endpoint)} answered with more than {role.MaxOutputBytes} bytes"),
                    permanent: false);
            }

            return readAnswer(body.Text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.RunnerPeerTimedOut(role.Name, attempt.TaskId, attempt.Attempt, peer, role.Timeout.TotalSeconds);
            return AgentResult.Failed($"{RunnerHttp.Describe(endpoint)} timed out after {RunnerHttp.Seconds(role.Timeout)}s", permanent: false);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            logger.RunnerPeerUnreachable(role.Name, attempt.TaskId, attempt.Attempt, peer, exception.Message);
            return AgentResult.Failed($"cannot reach {RunnerHttp.Describe(endpoint)}: {exception.Message}", permanent: false);
        }
    }
}
