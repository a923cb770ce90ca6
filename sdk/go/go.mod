module github.com/imagegen/imagegen-go

go 1.19
