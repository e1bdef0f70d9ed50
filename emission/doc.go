// Package emission holds the block reward schedule and the split of a
// block's emission among subnets and inside a subnet.
//
// Ring 1 (pure math). All amounts are integer rao (1 TAO = 10^9 rao); every
// remainder of a division is assigned by a documented rule so that the parts
// of a split always sum exactly to the whole. Total issuance never exceeds
// the 21,000,000 TAO cap.
package emission
