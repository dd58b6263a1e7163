using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Json;
using AgentFunctions.Hosting;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// HTTP triggers take ASP.NET Core's HttpRequest and return IActionResult (the API handlers' IResult, adapted).
builder.ConfigureFunctionsWebApplication();

// Worker telemetry correlates with the host's requests; add AddApplicationInsightsTelemetryWorkerService()
// (package Microsoft.ApplicationInsights.WorkerService) before this to send the worker's own telemetry directly.
builder.Services.ConfigureFunctionsApplicationInsights();

// OpenTelemetry beside it, as the isolated worker documents (UseFunctionsWorkerDefaults: the Functions resource, no
// duplicate of what the host records): the product's spans and Meter, and outgoing HTTP calls, sent over OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. Nothing is registered otherwise.
builder.Services.AddAgentFunctionsTelemetry(builder.Configuration, "agentfunctions", recordRequests: false, hostDefaults: otel => otel.UseFunctionsWorkerDefaults());

// One JSON dialect for everything the worker serializes, Durable inputs, outputs, custom status and events
// included: camelCase with snake_case enum values, as the HTTP API.
builder.Services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(CoreJson.Options));

// Roles, Workflow, Limits and AzureWebJobsStorage are validated here: a bad setting stops the host naming its key.
builder.Services.AddAgentFunctionsApp(builder.Configuration);

builder.Build().Run();
