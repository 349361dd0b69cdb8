using Akka.Actor;
using RControl.Actors;

namespace RControl.Tests.Core;

/// <summary>The bookkeeping behind "closed means the kills were acknowledged".</summary>
public sealed class PendingKillsTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("pending-kills", "akka.loglevel = WARNING");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task A_wait_returns_once_the_kills_are_done_and_names_those_that_are_not_by_the_bound()
    {
        var kills = PendingKills.Get(_system);
        var web1 = new RootActorPath(new Address("akka", "test")) / "user" / "web1";
        var web2 = new RootActorPath(new Address("akka", "test")) / "user" / "web2";
        var quick = new TaskCompletionSource();
        var stuck = new TaskCompletionSource();
        kills.Track(web1, "session 'web1': sleep 1", quick.Task);
        kills.Track(web2, "session 'web2': sleep 77", stuck.Task);

        var waitWeb1 = kills.WaitAsync(web1, TimeSpan.FromSeconds(30));
        Assert.False(waitWeb1.IsCompleted);
        quick.SetResult();
        Assert.Empty(await waitWeb1);

        var unacknowledged = await kills.WaitAsync(null, TimeSpan.FromMilliseconds(200));
        Assert.Equal(["session 'web2': sleep 77"], unacknowledged);

        stuck.SetException(new IOException("connection refused"));
        Assert.Empty(await kills.WaitAsync(null, TimeSpan.FromSeconds(30)));
    }
}
