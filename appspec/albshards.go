package appspec

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ALBLayout spreads apps over AWS Load Balancer Controller groups: one ALB
// per group, each inside AWS's quotas of 100 target groups and 100 rules,
// which a single group shared by every app passes near its 98th app.
type ALBLayout struct {
	// Prefix names the groups <Prefix>-0 … <Prefix>-<Shards-1>, which are
	// also the ALBs' names.
	Prefix string
	Shards int
	// Group, if set, is one group for every app (the layout before shards).
	Group string
}

// DefaultALBShards is the shard count of the embedded default platform.
const DefaultALBShards = 4

// AppsPerShard is the average load the platform is sized for: with apps
// spread by rendezvous hashing, a shard then stays below 50 apps (100 rules
// with the old metrics layout's second rule) with odds better than one in
// a million, so IDP_ALB_SHARDS should be at least the app count / 25.
const AppsPerShard = 25

// GroupOf returns the group an app's Ingress joins. Rendezvous hashing (the
// highest of one hash per shard) makes it a function of the app's name and
// the shard count alone: adding an app moves no other, and growing from N
// to N+1 shards moves only the apps that now score highest on the new
// shard, about 1/(N+1) of them.
func (l ALBLayout) GroupOf(app string) string {
	if l.Group != "" {
		return l.Group
	}
	best, bestScore := 0, uint64(0)
	for i := range l.Shards {
		if s := shardScore(app, i); i == 0 || s > bestScore {
			best, bestScore = i, s
		}
	}
	return l.Prefix + "-" + strconv.Itoa(best)
}

func shardScore(app string, shard int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(app))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(shard)))
	return mix(h.Sum64())
}

// mix is SplitMix64's finaliser: FNV's high bits alone spread short,
// similar names poorly.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// String is the layout as IDP_ALB_SHARDS_PREVIOUS takes it.
func (l ALBLayout) String() string {
	if l.Group != "" {
		return l.Group
	}
	return l.Prefix + "/" + strconv.Itoa(l.Shards)
}

// maxALBName is AWS's limit for a load balancer's name.
const maxALBName = 32

// parseALBLayout reads "<prefix>/<shards>" or a single group name.
func parseALBLayout(v string) (ALBLayout, error) {
	prefix, n, sharded := strings.Cut(v, "/")
	if !sharded {
		return ALBLayout{Group: v}, nil
	}
	shards, err := strconv.Atoi(n)
	if err != nil || shards < 1 {
		return ALBLayout{}, fmt.Errorf("want <prefix>/<shards> with shards ≥ 1, or one group name")
	}
	return ALBLayout{Prefix: prefix, Shards: shards}, nil
}

func (l ALBLayout) validate(key string) []string {
	var errs []string
	name, longest := l.Group, l.Group
	if l.Group == "" {
		name, longest = l.Prefix, l.Prefix+"-"+strconv.Itoa(max(0, l.Shards-1))
		if l.Shards < 1 {
			errs = append(errs, key+": the shard count must be at least 1")
		}
	}
	if name == "" || len(longest) > maxALBName || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasPrefix(name, "-") {
		errs = append(errs, fmt.Sprintf("%s: %q must give ALB names of lower-case letters, digits and '-', at most %d characters", key, longest, maxALBName))
	}
	return errs
}
