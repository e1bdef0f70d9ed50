package storage_test

import (
	"testing"

	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/storage/storagetest"
)

func TestMemDBConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.DB { return storage.NewMemDB() })
}
