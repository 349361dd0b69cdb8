using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Actors;
using RControl.Hosting;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Host.Daemon;

/// <summary>
/// The daemon's lifecycle: announces the endpoint and sessions once Akka is up, logs every task, and on
/// shutdown (SIGTERM) gives running tasks the grace period, then kills the rest — each one reported.
/// Registered after Akka, so it stops before the actor system does.
/// </summary>
internal sealed class DaemonService(ActorSystem system, IRequiredActor<RControlEngine> engine, DaemonConfig config, RControl.Jobs.JobService jobs, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _log = loggers.CreateLogger("RControl.Daemon");
    private IActorRef _tasks = ActorRefs.Nobody;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _tasks = system.ActorOf(TaskLogActor.Props(loggers.CreateLogger("RControl.Tasks")), "rcontrol-task-log");
        if (RControl.Cluster.ClusterConfig.IsConfigured(config.Config))
        {
            system.ActorOf(MemberLogActor.Props(loggers.CreateLogger("RControl.Cluster")), "rcontrol-member-log");
        }

        var manager = await engine.GetAsync(cancellationToken).ConfigureAwait(false);
        var sessions = await manager.Ask<SessionList>(ListSessions.Instance, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        RemoteSecurity.WarnIfInsecure(config.Security, _log);
        if (config.State is { } state)
        {
            var (host, port) = config.Endpoint;
            var userFile = state.PublishAdminCredential(host, port);
            _log.LogInformation(
                "credentials: CA and server certificate in {StateDir}; admin credential of user {User} in {Credential} (mint more with: rcontrol daemon credentials issue NAME --config FILE)",
                state.Directory,
                Environment.UserName,
                userFile);
        }

        _log.LogInformation(
            "RControl daemon listening on {Address} (gate {Gate}); sessions: {Sessions}; groups: {Groups}",
            address,
            $"{address}/user/{RControlEngine.ActorName}",
            sessions.Names.Count == 0 ? "none" : string.Join(", ", sessions.Names),
            config.Inventory.Groups.Count == 0 ? "none" : string.Join(", ", config.Inventory.Groups.Select(g => $"{g.Key} = [{string.Join(", ", g.Value)}]")));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_tasks.IsNobody())
        {
            return; // never started
        }

        jobs.StopStarting();
        await StopTasksAsync(cancellationToken).ConfigureAwait(false);
        if (await jobs.StopAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
        {
            _log.LogInformation("shutting down: every job's end is recorded");
        }
        else
        {
            _log.LogError("shutting down: some jobs did not record their end within 10s");
        }
    }

    private async Task StopTasksAsync(CancellationToken cancellationToken)
    {
        var running = await _tasks.Ask<TaskLogActor.RunningTasks>(TaskLogActor.GetRunning.Instance, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        if (running.Tasks.Count == 0)
        {
            _log.LogInformation("shutting down: no task running");
            return;
        }

        _log.LogInformation("shutting down: waiting up to {Grace}s for {Count} running task(s)", config.GracePeriod.TotalSeconds, running.Tasks.Count);
        if (await WaitIdleAsync(config.GracePeriod, cancellationToken).ConfigureAwait(false))
        {
            _log.LogInformation("shutting down: every task ended within the grace period");
            return;
        }

        running = await _tasks.Ask<TaskLogActor.RunningTasks>(TaskLogActor.GetRunning.Instance, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        foreach (var task in running.Tasks)
        {
            _log.LogWarning("shutting down: killing task {TaskId} on session {Session} (grace period over): {Command}", task.TaskId, task.Session, task.Command);
            task.SessionActor.Tell(new KillCommand(task.TaskId));
        }

        if (await WaitIdleAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
        {
            _log.LogInformation("shutting down: {Count} task(s) killed", running.Tasks.Count);
        }
        else
        {
            _log.LogError("shutting down: some tasks did not end within 10s of being killed");
        }
    }

    private async Task<bool> WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _tasks.Ask<TaskLogActor.Idle>(TaskLogActor.WhenIdle.Instance, timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }
}
