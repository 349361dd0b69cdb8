using System.Diagnostics;
using Akka.TestKit.Xunit2;
using RControl.Actors;

namespace RControl.Tests.Core;

/// <summary>A command's timeout fires on the monotonic clock: never before its duration, and not at all once cancelled.</summary>
public sealed class DeadlineTimerTests() : TestKit("akka.loglevel = WARNING")
{
    [Fact]
    public void The_message_never_arrives_before_the_duration()
    {
        var after = TimeSpan.FromMilliseconds(30);
        for (var i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            using var timer = new DeadlineTimer(after, TestActor, $"fired {i}");

            ExpectMsg($"fired {i}", TimeSpan.FromSeconds(30));
            // A lower bound only: a loaded machine makes the message later, never earlier.
            Assert.True(clock.Elapsed >= after, $"fired after {clock.Elapsed.TotalMilliseconds:0.###} ms");
        }
    }

    [Fact]
    public void A_disposed_timer_tells_nothing()
    {
        var timer = new DeadlineTimer(TimeSpan.FromMilliseconds(20), TestActor, "cancelled");
        timer.Dispose();
        using var later = new DeadlineTimer(TimeSpan.FromMilliseconds(200), TestActor, "later");

        // The later timer's message comes first and alone: the cancelled one (due long before) never arrived.
        ExpectMsg("later", TimeSpan.FromSeconds(30));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
